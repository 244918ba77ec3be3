"""Unit tests for MathML conversion."""

from __future__ import annotations

import pytest

from scipix_search.exceptions import LatexParseError
from scipix_search.math import to_mathml, try_mathml


def test_to_mathml_fraction() -> None:
    out = to_mathml(r"\dfrac{a}{b} \label{x}")
    assert out.startswith("<math")
    assert "<mfrac>" in out
    assert "label" not in out


def test_to_mathml_display_block() -> None:
    assert 'display="block"' in to_mathml("x", display=True)


def test_to_mathml_query_variable() -> None:
    assert "<math" in to_mathml(r"\qvar{*1*} + 1")


def test_to_mathml_invalid_raises_parse_error() -> None:
    with pytest.raises(LatexParseError):
        to_mathml(r"\frac{a}{b")


def test_try_mathml_says_whether_it_converted() -> None:
    mathml, ok = try_mathml(r"\frac{a}{b}")
    assert ok and "<mfrac>" in mathml
    assert try_mathml(r"\frac{a}{b") == ("", False)
    assert try_mathml("") == ("", False)
    assert try_mathml(" ") == ("", False)
