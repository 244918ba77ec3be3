"""Glyphs that math fonts name in their programs but give no (or a wrong) Unicode value,
typeset here with pdflatex (each test skips without it or without its font package).

- mathdesign (Utopia here; Charter and Garamond share its fonts' names) sets ``\\mathcal``
  capitals as ``Acal`` ... ``Zcal`` and numbers its delimiter sizes (``bracketleftbig1`` ...
  ``braceleftbig6``) instead of CMEX's ``big`` ... ``Bigg``: a numbered size is measured by
  its ink, so a ``\\left[ ... \\right]`` around a fraction stays one group (it was read as a
  matrix of the fraction's parts). Its numbered radical sizes (``radicalbig1``) are measured
  by their ink as well.
- txfonts (and pxfonts, Kerkis's kmath) name their delimiter sizes as CMEX does
  (``parenleftbigg``) but draw them smaller (``\\bigg(`` 1.95 em tall, CMEX's 2.4): sized by
  CMEX's metrics, the delimiter reached into the denominators beside it and display fractions
  of its row lost their denominators to a row of their own. Every sized delimiter is measured
  by its ink now.
- A digit of a bold font is ``\\mathbf`` (``\\mathbf{0}``, the zero vector), as a letter is.
- Kerkis sets ``\\beta`` as ``beta1`` (no Unicode value) and names the lunate epsilon it sets
  for ``\\epsilon`` ``uni03F8``.
"""

from __future__ import annotations

from pathlib import Path

from scipix_search.ingest import find_equation_regions, read_tex_equations, regions_to_equations
from scipix_search.math import as_tokens
from tests.factories import require_tex_file, typeset_article

_PACKAGES = {
    "mdutopia": ("mathdesign", "\\usepackage[T1]{fontenc}\n\\usepackage[utopia]{mathdesign}\n"),
    "kerkis": ("kmath", "\\usepackage[T1]{fontenc}\n\\usepackage{kmath,kerkis}\n"),
    "txfonts": ("txfonts", "\\usepackage[T1]{fontenc}\n\\usepackage{txfonts}\n"),
    "cm": ("amsmath", ""),
}
_DELIMITED = (
    "The action of the Liouville field on the disc is then\n"
    "\\begin{equation}\n"
    "\\mathcal{A} = \\int d^{2} x \\left[ \\frac{1}{8 \\pi} ( \\partial_{\\mu} \\varphi )^{2}"
    " + \\mu \\sum_{i=1}^{r} e^{b e_{i}} \\right] ,\n"
    "\\end{equation}\n"
    "and the flow of the coupling follows from\n"
    "\\begin{equation}\n"
    "\\mathcal{L}_{\\sigma} = \\left( \\frac{\\partial \\mathcal{P}}{\\partial \\kappa} \\right)"
    " \\Bigg\\{ \\frac{a}{b} + c \\Bigg\\} .\n"
    "\\end{equation}\n"
    "while the entropy of the horizon is\n"
    "\\begin{equation}\n"
    "S = 2 \\pi \\sqrt{ \\frac{c}{6} Q_{0} } .\n"
    "\\end{equation}\n"
)
_FRACTIONS = (
    "The field equation and the flow of the profile read\n"
    "\\begin{equation}\n"
    "\\frac{1}{\\sqrt{-G}} \\partial_{M} \\left\\{ \\sqrt{-G} G^{MN} \\partial_{N} \\phi \\right\\}"
    " = \\frac{\\partial V}{\\partial \\phi} ,\n"
    "\\end{equation}\n"
    "and, once the boundary term is dropped,\n"
    "\\begin{equation}\n"
    "\\frac{d f}{d \\sigma} ( \\sigma ( 0 ) ) = \\pm \\frac{1}{k k_{1}} \\bigg( 1 - a \\bigg) .\n"
    "\\end{equation}\n"
)
_GREEK = (
    "The coefficients of the expansion satisfy\n"
    "\\begin{equation}\n"
    "\\beta_{n} = 2 \\theta \\epsilon_{i j} \\partial^{i} A^{j} + \\beta \\epsilon .\n"
    "\\end{equation}\n"
)


def _typeset(tmp: Path, font: str, body: str) -> Path:
    package, preamble = _PACKAGES[font]
    require_tex_file(f"{package}.sty")
    return typeset_article(tmp / f"{font}.tex", body, preamble)


def _rows(tex: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    source = [tuple(as_tokens(e.latex)) for e in read_tex_equations(tex) if e.display]
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    return source, [tuple(as_tokens(e.latex)) for e in regions_to_equations(regions)]


def test_mathdesign_calligraphic_and_numbered_delimiter_sizes(tmp_path: Path) -> None:
    source, read = _rows(_typeset(tmp_path, "mdutopia", _DELIMITED))
    assert len(source) == 3
    assert read == source


def test_kerkis_variant_beta_and_lunate_epsilon(tmp_path: Path) -> None:
    source, read = _rows(_typeset(tmp_path, "kerkis", _GREEK))
    assert read == source


def test_txfonts_sized_delimiters_leave_fractions_whole(tmp_path: Path) -> None:
    source, read = _rows(_typeset(tmp_path, "txfonts", _FRACTIONS))
    assert len(source) == 2
    assert read == source


def test_bold_digits_are_bold(tmp_path: Path) -> None:
    body = (
        "The initial state and the sum of the weights are\n"
        "\\begin{equation}\n"
        "v^{(0)} = \\left( \\begin{array}{c} \\mathbf{0} \\\\ 1 \\end{array} \\right) ,"
        " \\qquad w = \\mathbf{1} + x .\n"
        "\\end{equation}\n"
    )
    source, read = _rows(_typeset(tmp_path, "cm", body))
    assert read == source
