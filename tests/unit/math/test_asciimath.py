"""LaTeX to AsciiMath for Mathpix-compatible answers."""

from __future__ import annotations

from scipix_search.math import latex_to_asciimath


def test_latex_to_asciimath() -> None:
    assert latex_to_asciimath(r"\frac{a}{b}") == "(a)/(b)"
    assert latex_to_asciimath(r"x^{2}+y_{i}") == "x^2+y_i"
    assert latex_to_asciimath(r"\alpha \leq \sqrt{\beta}") == "alpha <= sqrt(beta)"
