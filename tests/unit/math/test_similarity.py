"""Unit tests for the structural re-ranking score."""

from __future__ import annotations

import time

import pytest

from scipix_search.math import parse_formula, structural_similarity


def _sim(q: str, c: str, **kw: float) -> float:
    return structural_similarity(parse_formula(q), parse_formula(c), **kw)


def test_structural_similarity_identical_is_one() -> None:
    assert _sim(r"\dfrac{a}{b}", r"\frac ab") == 1.0


def test_structural_similarity_renaming_is_close_but_below_exact() -> None:
    renamed = _sim("a^2+b^2=c^2", "x^2+y^2=z^2")
    assert 0.7 <= renamed < 1.0
    assert renamed > _sim("a^2+b^2=c^2", "a^3+b^3=c^3")
    assert renamed > _sim("a^2+b^2=c^2", r"\int_0^1 f(x) dx")


def test_structural_similarity_sum_renamed() -> None:
    close = _sim(r"\frac{1}{n}\sum_i x_i", r"\frac1N\sum_{j} y_j")
    far = _sim(r"\frac{1}{n}\sum_i x_i", r"\sqrt{a+b}")
    assert close > 0.7
    assert far < 0.2


def test_structural_similarity_in_unit_range() -> None:
    for q, c in [("x", "y"), ("x", r"\frac12"), ("a+b", "c"), ("", "x")]:
        assert 0.0 <= _sim(q, c) <= 1.0
        assert 0.0 <= _sim(q, c, ted_weight=0.5) <= 1.0


def test_structural_similarity_wildcards_match_subexpressions() -> None:
    query = r"\qvar{*1*}x^{2}+\qvar{*2*}x+\qvar{*3*}=0"
    assert _sim(query, "3x^2+5x+7=0") > 0.95
    assert _sim(query, "ax^2+bx+c=0") > 0.95
    assert _sim(query, "3x^2+5x+7=0") > _sim(query, "x^3+1=0")


def test_structural_similarity_tree_edit_term() -> None:
    with_ted = _sim("a+b", "a-b", ted_weight=0.5)
    without = _sim("a+b", "a-b")
    assert with_ted != pytest.approx(without)


def test_structural_similarity_is_fast() -> None:
    query = parse_formula(r"\int_0^\infty e^{-x^2} dx = \frac{\sqrt\pi}{2}")
    cands = [
        parse_formula(rf"\int_0^{{{k}}} e^{{-t^{k}}} dt = \frac{{\sqrt\pi}}{{{k}}}")
        for k in range(200)
    ]
    start = time.perf_counter()
    for cand in cands:
        structural_similarity(query, cand)
    per_pair = (time.perf_counter() - start) / len(cands)
    assert per_pair < 1e-3
