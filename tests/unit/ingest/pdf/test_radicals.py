"""Radicals rebuilt from a radical glyph, its vinculum and what it covers."""

from __future__ import annotations

from scipix_search.ingest.pdf._glyphs import Bar, Glyph, glyphs_to_latex
from scipix_search.ingest.pdf._radicals import group_radicals


def _g(c: str, x0: float, y0: float, x1: float, y1: float, base: float, size: float = 10.0,
       font: str = "CMMI10", name: str = "") -> Glyph:  # fmt: skip
    return Glyph(c, x0, y0, x1, y1, base, size, font, name)


def test_square_root_of_a_letter() -> None:
    # geometry of pdfTeX's \sqrt{\alpha} in Computer Modern (measured on a compiled page)
    glyphs = [
        _g("y", 230.0, 160.0, 235.0, 169.0, 165.4),
        _g("=", 238.0, 160.0, 246.0, 169.0, 165.4, font="CMR10"),
        _g("√", 252.5, 157.9, 260.7, 167.3, 165.4, font="CMSY10"),
        _g("α", 260.8, 166.0, 267.0, 171.0, 171.0),
    ]
    bars = [Bar(260.75, 267.16, 165.2)]
    out, rest = group_radicals(glyphs, bars)
    assert rest == []  # the vinculum is no fraction bar
    assert glyphs_to_latex(out, rest) == "y=\\sqrt{\\alpha}"


def test_nested_fraction_and_index() -> None:
    sign = _g("\ufffd", 359.7, 158.1, 369.7, 164.5, 158.5, font="CMEX10", name="radicalbigg")
    a = _g("a", 371.0, 160.0, 376.0, 168.0, 168.0, size=7.0)
    b = _g("b", 371.0, 172.0, 376.0, 180.0, 180.0, size=7.0)
    # TeX kerns the index back over the left part of the sign
    three = _g("3", 361.8, 150.0, 365.2, 156.0, 156.0, size=5.0, font="CMR5")
    vinculum, fraction = Bar(369.67, 377.32, 158.28), Bar(370.86, 376.13, 170.57)
    out, rest = group_radicals([sign, a, b, three], [vinculum, fraction])
    assert len(out) == 1 and out[0].name == "atom"
    assert out[0].c == "\\sqrt[3]{\\frac{a}{b}}"
    assert rest == []


def test_radical_without_vinculum_is_left_alone() -> None:
    glyphs = [
        _g("√", 10.0, 0.0, 18.0, 10.0, 8.0, font="CMSY10"),
        _g("x", 19.0, 2.0, 24.0, 8.0, 8.0),
    ]
    out, rest = group_radicals(glyphs, [])
    assert out == glyphs and rest == []


def test_script_before_a_radical_is_no_index() -> None:
    # \bar{e}^{i}\sqrt{a}: the superscript ends where the sign starts
    e = _g("e", 340.0, 160.0, 345.0, 168.0, 168.0)
    i = _g("i", 345.5, 155.0, 348.0, 161.0, 161.0, size=7.0)
    sign = _g("√", 348.2, 157.9, 356.5, 167.3, 165.4, font="CMSY10")
    a = _g("a", 356.6, 166.0, 361.0, 171.0, 171.0)
    out, _ = group_radicals([e, i, sign, a], [Bar(356.5, 361.5, 165.2)])
    assert glyphs_to_latex(out, []) == "e^{i}\\sqrt{a}"
