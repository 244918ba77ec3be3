"""Font roles across TeX math font families, and Unicode math alphanumerics."""

from __future__ import annotations

import pytest

from scipix_search.ingest.pdf._families import (
    is_blackboard_font,
    is_bold_font,
    is_extension_font,
    is_italic_font,
    is_math_font,
    is_symbol_font,
)
from scipix_search.ingest.pdf._unicode_math import split_math_alphanumeric

# font names as pdfTeX embeds them (seen on compiled pages), MuPDF's 24-character cut included
EXTENSION = ["CMEX10", "LMMathExtension10-Regula", "txexs", "txbexs", "EUEX10",
             "Fourier-Math-Extension", "Kp--M-Ex-Regular"]  # fmt: skip
TEXT = ["CMR10", "LMRoman10-Regular", "TeXGyreTermesX-Regular", "LinLibertineT", "Utopia-Regular",
        "URWPalladioL-Roma", "NimbusRomNo9L-Regu", "Kp-Regular"]  # fmt: skip
MATH_ITALIC = ["CMMI10", "LMMathItalic10-Regular", "NewTXMI", "NewPXMI", "LibertineMathMI7",
               "Kp--M-Italic", "Fourier-Math-Letters-Italic", "PazoMath-Italic", "txmiaX"]  # fmt: skip


@pytest.mark.parametrize("font", EXTENSION)
def test_extension_fonts(font: str) -> None:
    assert is_extension_font(font) and is_math_font(font)


@pytest.mark.parametrize("font", TEXT)
def test_text_fonts_are_not_math(font: str) -> None:
    assert not is_math_font(font) and not is_extension_font(font) and not is_italic_font(font)


@pytest.mark.parametrize("font", MATH_ITALIC)
def test_math_italic_fonts(font: str) -> None:
    assert is_math_font(font) and is_italic_font(font) and not is_extension_font(font)


def test_symbol_and_bold_roles() -> None:
    assert all(is_symbol_font(f) for f in ["CMSY10", "txsys", "pxsys", "LMMathSymbols10-Regular"])
    assert all(is_bold_font(f) for f in ["CMBX10", "CMMIB10", "NewTXBMI", "LMRoman10-Bold"])
    assert not any(is_bold_font(f) for f in ["CMMI10", "NewTXMI", "LinLibertineT"])


def test_blackboard_fonts() -> None:
    # AMS's MSBM and the families' own \mathbb fonts (named ...syb, or saying blackboard)
    bb = ["MSBM10", "txsyb", "pxsyb", "Kp--M-Syb-Regular", "PazoMathBlackboardBold", "BBOLD10"]
    assert all(is_blackboard_font(f) for f in bb)
    others = ["CMSY10", "txsys", "Kp--M-Sy-Regular", "PazoMath-Bold", "NewTXMI", "CMBX10"]
    assert not any(is_blackboard_font(f) for f in others)


@pytest.mark.parametrize(
    ("char", "base", "role"),
    [
        ("𝑥", "x", "/MathItalic"),
        ("𝜶", "α", "/Bold-MathItalic"),
        ("𝐯", "v", "/Bold"),
        ("ℝ", "R", "/MSBM"),
        ("𝔤", "g", "/EUFM"),
        ("𝒜", "A", "/CMSY"),
        ("𝟐", "2", "/Bold"),
        ("𝜕", "∂", "/MathItalic"),
        ("x", "x", ""),
        ("∑", "∑", ""),
    ],
)
def test_unicode_math_alphanumerics(char: str, base: str, role: str) -> None:
    assert split_math_alphanumeric(char) == (base, role)


def test_a_lying_text_layer_is_not_trusted() -> None:
    """Fonts whose ToUnicode map is wrong print ``τ`` as ``⌧`` and ``=`` as ``“``: such
    glyphs do not map, so the formula goes to the OCR; real math characters do map."""
    from scipix_search.ingest.pdf._glyphs import Glyph, glyph_mapped

    def glyph(c: str) -> Glyph:
        return Glyph(c, 0, 0, 5, 7, 7, 10.0, "STIXGeneral-Regular")

    assert not any(glyph_mapped(glyph(c)) for c in "⌧⇢“”")
    assert all(glyph_mapped(glyph(c)) for c in "τ=x2(∑≤′")
