"""Nesting is bounded: hostile formulas end in LatexParseError, never in RecursionError."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from scipix_search.exceptions import LatexParseError
from scipix_search.math import (
    latex_to_asciimath,
    normalize,
    parse_formula,
    rename_variables,
    to_mathml,
    try_mathml,
)
from scipix_search.math._parse import MAX_DEPTH

# Each shape nests in a different way through the parser (or, for double scripts, only in
# the syntax tree it builds); all stay under the 4,000-character query cap.
HOSTILE = {
    "frac_399": "\\frac{" * 399 + "x" + "}{y}" * 399,
    "frac_unbraced": "\\frac" * 399 + "x" * 400,
    "sqrt_unbraced": "\\sqrt" * 700 + "x",
    "braces": "{" * 1500 + "x" + "}" * 1500,
    "superscripts": "x" + "^{x" * 990 + "}" * 990,
    "double_scripts": "x" + "^1" * 1500,
    "sub_sup_chain": "x" + "_1^2" * 900,
    "over_chain": "a\\over " * 450,
    "font_switches": "\\rm " * 900 + "x",
    "left_right": "\\left(" * 300 + "x" + "\\right)" * 300,
    "environments": "\\begin{matrix}" * 150 + "x" + "\\end{matrix}" * 150,
    "sqrt_options": "\\sqrt[" * 450 + "x" + "]x" * 450,
}


@contextmanager
def _stack_headroom(frames: int) -> Iterator[None]:
    """Run with only ``frames`` Python frames to spare above the current stack."""
    old = sys.getrecursionlimit()
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_nesting_is_a_parse_error(name: str) -> None:
    latex = HOSTILE[name]
    assert len(latex) <= 4000
    for func in (normalize, parse_formula, to_mathml, rename_variables):
        with pytest.raises(LatexParseError) as info:
            func(latex)
        assert info.value.reason == "depth", (name, func.__name__, info.value)
        assert f"more than {MAX_DEPTH} levels" in str(info.value)
    assert try_mathml(latex) == ("", False)


def test_nesting_at_the_limit_parses_with_half_the_stack_free() -> None:
    # MAX_DEPTH levels must fit in ~600 frames, so a caller deep in a web framework or a
    # worker thread still has room: what a human writes parses.
    latex = "\\frac{" * MAX_DEPTH + "x" + "}{y}" * MAX_DEPTH
    with _stack_headroom(600):
        formula = parse_formula(latex)
        mathml = to_mathml(latex)
        renamed = rename_variables(latex)
    assert formula.tokens.count("\\frac") == MAX_DEPTH
    assert mathml.count("<mfrac>") == MAX_DEPTH
    assert renamed.count("v") == MAX_DEPTH  # y -> v everywhere


def test_one_level_past_the_limit_is_refused() -> None:
    ok = "x" + "^{x" * MAX_DEPTH + "}" * MAX_DEPTH
    assert normalize(ok).count("^") == MAX_DEPTH
    with pytest.raises(LatexParseError):
        normalize("x" + "^{x" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_asciimath_stays_best_effort_on_hostile_nesting(name: str) -> None:
    out = latex_to_asciimath(HOSTILE[name])
    assert isinstance(out, str)
    assert latex_to_asciimath(r"\frac{a}{b}+\sqrt{x^{2}}") == "(a)/(b)+sqrt(x^2)"
