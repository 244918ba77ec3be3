"""Displays set in bitmap (Type 3) fonts that name nothing, typeset here with pdflatex (the
test skips without it or without concmath, a Metafont-only family, so pdfTeX embeds its
fonts as PK bitmaps: no font name, glyphs named by their codes, no ToUnicode map).

The text layer then gives each glyph's code as if it were ASCII, whatever the font's TeX
encoding (the math italic's comma is code 59, ``;``; its ``\\partial`` code 64, ``@``). A
font whose widths fit a TeX encoding (``_fonts.identify_bitmap_fonts``) is read through it;
in one that fits none, a glyph's text is not trusted (the display goes to the OCR, which is
not checked against it), while letters, which every TeX text and math encoding keeps at
their ASCII codes, still are.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from scipix_search.ingest import find_equation_regions
from scipix_search.ingest.pdf import _lines
from scipix_search.ingest.pdf._fonts import (
    _fit_bitmap_font,
    anonymous_bitmap_fonts,
    identify_bitmap_fonts,
)
from scipix_search.ingest.pdf._tex_metrics import WIDTHS
from tests.factories import require_tex_file, typeset

_BODY = (
    "In the limit of a weak coupling the two sectors decouple, and the result of the "
    "previous section carries over to the present case without change. We find\n"
    "\\begin{equation}\n"
    "\\frac{\\partial \\Gamma_{n}}{\\partial \\kappa} = ( S_{n} , \\Gamma_{n} ) ,\n"
    "\\end{equation}\n"
    "for every mode of the spectrum, as stated in the introduction.\n"
)


def _typeset(tmp: Path, preamble: str) -> Path:
    tmp.mkdir()
    return typeset(
        tmp / "doc.tex",
        "\\documentclass[11pt]{article}\n\\usepackage{amsmath}\n"
        + preamble
        + "\\pagestyle{empty}\n\\begin{document}\n"
        + _BODY
        + "\\end{document}\n",
    )


def test_bitmap_font_codes_are_not_trusted(tmp_path: Path, monkeypatch) -> None:
    """Fonts whose encoding is not known (here: none is) leave their displays to the OCR."""
    require_tex_file("concmath.sty")
    monkeypatch.setattr(_lines, "identify_bitmap_fonts", lambda page: {})
    bitmap = _typeset(tmp_path / "cc", "\\usepackage{concmath}\n").with_suffix(".pdf")
    outline = _typeset(tmp_path / "cm", "").with_suffix(".pdf")
    assert anonymous_bitmap_fonts(pymupdf.open(bitmap)[0])
    assert not anonymous_bitmap_fonts(pymupdf.open(outline)[0])
    (cc,) = find_equation_regions(bitmap, render=False)
    (cm,) = find_equation_regions(outline, render=False)
    assert cc.codes_only and not cc.text_complete
    assert not cm.codes_only and cm.text_complete


def test_bitmap_fonts_read_through_the_encoding_their_widths_fit(tmp_path: Path) -> None:
    """Concrete math's PK fonts fit the widths of Computer Modern's math italic, symbol and
    text fonts (no Concrete metrics are known to the reader): the display reads as it does
    in Computer Modern outlines, from the text layer."""
    require_tex_file("concmath.sty")
    bitmap = _typeset(tmp_path / "cc", "\\usepackage{concmath}\n").with_suffix(".pdf")
    outline = _typeset(tmp_path / "cm", "").with_suffix(".pdf")
    assert identify_bitmap_fonts(pymupdf.open(bitmap)[0])
    (cc,) = find_equation_regions(bitmap, render=False)
    (cm,) = find_equation_regions(outline, render=False)
    assert not cc.codes_only and cc.text_complete
    assert cc.latex == cm.latex


@pytest.mark.slow
def test_computer_modern_as_bitmaps_reads_like_its_outlines(tmp_path: Path) -> None:
    """With no font map, pdfTeX embeds Computer Modern itself as PK bitmaps, as in older
    PDFs: its fonts have Computer Modern's exact widths, even those of a single glyph (the
    big operator of CMEX, a subscript font), and read as the outline fonts do: the same
    characters for the same glyph names, TeX's two phis, the advance under an accent, the
    outline font's ascent and descent (a bitmap font's boxes are its whole /FontBBox)."""
    body = (
        "\\begin{equation}\n\\frac{\\partial \\Gamma_{n}}{\\partial \\kappa} = "
        "( S_{n} , \\Gamma_{n} ) + \\sum_{i} \\alpha_i \\beta_i ,\n\\end{equation}\n"
        "\\begin{equation}\n\\langle \\hat{A} \\rangle = \\varphi ( x ) + \\phi ( \\Omega ) ,"
        "\n\\end{equation}\n"
        "\\begin{equation}\nH = \\sum_{j} \\frac{1}{\\sqrt{| z - z_{j} |^{2} + x^{2}}} "
        "\\left( \\frac{a}{b} \\right) ,\n\\end{equation}\n"
    )
    bitmap = typeset(tmp_path / "pk.tex", "\\pdfmapfile{}\n" + _document(body))
    outline = typeset(tmp_path / "t1.tex", _document(body))
    page = pymupdf.open(bitmap.with_suffix(".pdf"))[0]
    assert anonymous_bitmap_fonts(page) and identify_bitmap_fonts(page)
    pk = find_equation_regions(bitmap.with_suffix(".pdf"), render=False)
    t1 = find_equation_regions(outline.with_suffix(".pdf"), render=False)
    assert len(pk) == len(t1) == 3
    for bitmap_region, outline_region in zip(pk, t1, strict=True):
        assert bitmap_region.text_complete
        assert bitmap_region.latex == outline_region.latex


def _document(body: str) -> str:
    return (
        "\\documentclass[11pt]{article}\n\\usepackage{amsmath}\n\\pagestyle{empty}\n"
        "\\begin{document}\nIn the limit of a weak coupling the two sectors decouple.\n"
        + body
        + "for every mode of the spectrum.\n\\end{document}\n"
    )


def test_widths_fit_their_encoding_at_any_size() -> None:
    """A font is named by the encoding whose widths it fits, at any scale; widths that fit no
    TeX font leave it unknown; two codes are known only where the widths are exact."""
    _enc, cmmi = WIDTHS["cmmi10"]
    codes = [11, 12, 59, 64, 97, 120, 121]  # alpha beta comma partial a x y
    exact = {c: cmmi[c] for c in codes}
    found = _fit_bitmap_font(exact)
    assert found is not None and found.alias == "CMMI10"
    assert [found.names[c] for c in (11, 59, 64)] == ["alpha", "comma", "partialdiff"]
    scaled = _fit_bitmap_font({c: 1.1 * w for c, w in exact.items()})
    assert scaled is not None and scaled.names[64] == "partialdiff"
    assert _fit_bitmap_font({c: 0.3 + 0.05 * (c % 7) for c in codes}) is None
    two = _fit_bitmap_font({11: cmmi[11], 12: cmmi[12]})
    assert two is not None and two.names[11] == "alpha"
    assert _fit_bitmap_font({11: cmmi[11] * 1.07, 12: cmmi[12] * 1.07}) is None


def test_a_bitmap_display_row_ends_where_its_glyphs_do(tmp_path: Path) -> None:
    """MuPDF gives a line of a bitmap (Type 3) font the font's whole /FontBBox: a display row
    holding a PK extension-font glyph (a wide accent; the font's box is as tall as its tallest
    glyph, a big delimiter) reached three lines down, into the
    paragraph line under it, and the two made one block that was no display."""
    require_tex_file("concmath.sty")
    body = (
        "\\begin{equation}\n\\Bigg( \\frac{a}{b} \\Bigg) = \\int_{0}^{1} f(x)\\,dx\n"
        "\\end{equation}\nThis leads to\n\\begin{equation*}\n\\widetilde{H}(\\mu, r) = \\beta_{1} u_{1}(\\mu, r)"
        " + \\beta_{2} u_{2}(\\mu, r) + u_{n-h}(\\mu, r)\n\\end{equation*}\n"
        "with $S(p;1)$ fixed.\n"
    )
    source = _document(body).replace(
        "\\usepackage{amsmath}\n",
        "\\usepackage{amsmath}\n\\usepackage[T1]{fontenc}\n\\usepackage{concmath}\n",
    )
    pdf = typeset(tmp_path / "cc.tex", source).with_suffix(".pdf")
    page = pymupdf.open(pdf)[0]
    assert anonymous_bitmap_fonts(page)
    _first, region = find_equation_regions(pdf, render=False)
    assert region.latex.startswith("\\widetilde{H}")
    prose = [ln for ln in _lines.page_lines(page) if ln.text.startswith("with")]
    assert prose and region.bbox[3] < prose[0].bbox[1]
