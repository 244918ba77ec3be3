"""Displays set in bitmap (Type 3) fonts that name nothing, typeset here with pdflatex (the
test skips without it or without concmath, a Metafont-only family, so pdfTeX embeds its
fonts as PK bitmaps: no font name, glyphs named by their codes, no ToUnicode map).

The text layer then gives each glyph's code as if it were ASCII, whatever the font's TeX
encoding (the math italic's comma is code 59, ``;``; its ``\\partial`` code 64, ``@``). Such a
glyph's text is not trusted (the display goes to the OCR, which is not checked against it),
while letters, which every TeX text and math encoding keeps at their ASCII codes, still are.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

from scipix_search.ingest import find_equation_regions
from scipix_search.ingest.pdf._fonts import anonymous_bitmap_fonts
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


def test_bitmap_font_codes_are_not_trusted(tmp_path: Path) -> None:
    require_tex_file("concmath.sty")
    bitmap = _typeset(tmp_path / "cc", "\\usepackage{concmath}\n").with_suffix(".pdf")
    outline = _typeset(tmp_path / "cm", "").with_suffix(".pdf")
    assert anonymous_bitmap_fonts(pymupdf.open(bitmap)[0])
    assert not anonymous_bitmap_fonts(pymupdf.open(outline)[0])
    (cc,) = find_equation_regions(bitmap, render=False)
    (cm,) = find_equation_regions(outline, render=False)
    assert cc.codes_only and not cc.text_complete
    assert not cm.codes_only and cm.text_complete
