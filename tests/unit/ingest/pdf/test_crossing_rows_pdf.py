"""A two-column paper's full-width line that MuPDF gives in pieces, typeset here with
pdflatex in ``revtex4-2`` (skips without it): the abstract spans both columns, and MuPDF
breaks its first line where a superscript ends (``Note that $E_0^{HO}$`` | ``are not
independent...``). The piece left of the middle fell into the left column, alone and short,
and read as a centred display (``_blocks.split_columns``)."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from scipix_search.ingest import find_equation_regions
from scipix_search.ingest.pdf._blocks import split_columns
from scipix_search.ingest.pdf._lines import page_lines
from tests.factories import require_tex_file, typeset

_PARAGRAPH = (
    "It is convenient to introduce $\\alpha_i$ and to keep the expansion fixed. For the free "
    "energy we take $(S, S)$ as the reference. One checks that the boundary term holds "
    "whenever the coupling is weak, and the correction stays small in every sector. "
)


def test_the_pieces_of_a_full_width_line_are_no_display(tmp_path: Path) -> None:
    require_tex_file("revtex4-2.cls")
    source = (
        "\\documentclass[aps,prl,twocolumn,superscriptaddress]{revtex4-2}\n"
        "\\usepackage{amsmath}\n\\begin{document}\n\\title{On the propagator}\n"
        "\\author{Alex Author}\n\\affiliation{Example University}\n\\begin{abstract}\n"
        "Note that $V_{c}$ and $E_{0}^{HO}$ are not independent. This gives $(n)_{q}!$ for "
        "the corresponding field. This observation simplifies the analysis considerably.\n"
        "\\end{abstract}\n\\maketitle\n\\section{Results}\n"
        + _PARAGRAPH
        * 3
        + "\nThis leads to\n\\begin{equation}\nb_{2} - b_{1} + b_{1} b_{2} = \\frac{1}{2} .\n"
        "\\end{equation}\n" + _PARAGRAPH * 12 + "\n\\end{document}\n"
    )
    pdf = typeset(tmp_path / "doc.tex", source).with_suffix(".pdf")
    page = pymupdf.open(pdf)[0]
    lines = page_lines(page)
    (piece,) = [ln for ln in lines if ln.text.startswith("Note that")]
    assert piece.bbox[2] < page.rect.width / 2  # MuPDF's piece, left of the middle
    columns = split_columns(lines, page.rect.width)
    assert len(columns) == 3
    (crossing,) = [c for c in columns if piece in c]
    assert any(ln.text.startswith("are not independent") for ln in crossing)
    regions = find_equation_regions(pdf, render=False)
    assert [r.number for r in regions] == ["1"]
    assert regions[0].latex.startswith("b_{2}-b_{1}")
