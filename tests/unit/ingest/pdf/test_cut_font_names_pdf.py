"""Fonts whose names differ only after MuPDF's 24 characters, typeset here with pdflatex in
``sansmathfonts`` (skips without it): ``ComputerModernSans-MathitalicRegular10pt``, ``...7pt``
and ``...8pt`` are all ``ComputerModernSans-Mathi`` in the text layer, and the glyph names
of the first were read for the glyph indices of all three, so letters of a script were
"corrected" to whatever the first font has at their index (``H`` to a cedilla)."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from scipix_search.ingest.pdf._fonts import span_glyph_names
from scipix_search.ingest.pdf._truth import drawn_characters
from tests.factories import require_tex_file, typeset

_SOURCE = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage[T1]{fontenc}
\usepackage{sansmathfonts}
\title{On the physical operator of the estimate}
\author{Alex Author}
\date{}
\begin{document}
\maketitle
\begin{abstract}
Note that $V _ { c }$ and $E _ { 0 } ^ { H O }$ are not independent. This gives $( n ) _ { q } !$ for the corresponding field. This observation simplifies the analysis considerably.
\end{abstract}
\section{Results}
It is convenient to introduce $\alpha _ { i }$ and to keep the expansion fixed.
It is convenient to introduce $\alpha _ { i }$ and to keep the expansion fixed.
For the free energy we take $( S , S ) _ { \Delta }$.
It is convenient to introduce $i \hbar [ \Delta , S ]$ and to keep the operator fixed.
One checks that $\Delta ( B - L )$ holds whenever the boundary term is first-order.

This leads to
\begin{equation}
  x ^ { \pm } = \begin{bmatrix} \ 0 & P ^ { y } & c _ { 1 } \\ { \cal Z } & \mathcal { A } & S _ { D } \end{bmatrix} \label{eq:1}
\end{equation}
with $\int d \theta \rho _ { 0 } ( \theta ) \cos { \theta }$ fixed.

Combining the relations above gives
\begin{equation}
  b _ { 2 } - b _ { 1 } + b _ { 1 } b _ { 2 } = { \frac { 1 } { 2 } } . \label{eq:2}
\end{equation}
\end{document}
"""


def test_each_span_reads_the_names_of_its_own_font(tmp_path: Path) -> None:
    require_tex_file("sansmathfonts.sty")
    tex = typeset(tmp_path / "doc.tex", _SOURCE)
    page = pymupdf.open(tex.with_suffix(".pdf"))[0]
    fonts = page.get_fonts()
    cut = "ComputerModernSans-Mathi"
    assert len({f[3].split("+")[-1] for f in fonts if f[3].split("+")[-1].startswith(cut)}) > 1
    trace = page.get_texttrace()
    letters = 0
    for span in trace:
        if span["font"] != cut:
            continue
        names = span_glyph_names(page, span, fonts)
        for code, gid, *_ in span["chars"]:
            # (a ligature's letters share one glyph; a span of symbols alone can leave the
            # program unknown: no names rather than another font's)
            if names and gid >= 0 and chr(code).isascii() and chr(code).isalpha():
                letters += 1
                assert names[gid] == chr(code)
    assert letters >= 10
    # no letter of a script is "corrected" into something else
    fixes = drawn_characters(page, trace)
    for span in trace:
        for code, _gid, origin, _box in span["chars"]:
            key = (round(origin[0], 1), round(origin[1], 1))
            if chr(code).isascii() and chr(code).isalpha():
                assert key not in fixes, (chr(code), fixes[key])
