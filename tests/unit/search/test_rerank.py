"""The structural re-rank shared by the equation searcher, tests and benchmarks."""

from __future__ import annotations

import pytest

from scipix_search.math import parse_formula, structural_similarity
from scipix_search.search import STRUCTURE_WEIGHT, rerank, rerank_score


def test_rerank_score_mixes_structure_and_cosine() -> None:
    assert STRUCTURE_WEIGHT == 0.7
    assert rerank_score(1.0, 0.5) == pytest.approx(0.85)
    assert rerank_score(0.5, -0.2) == pytest.approx(0.35)  # a negative cosine counts as 0


def test_rerank_structure_first_then_id() -> None:
    query = parse_formula("x^2 + y")
    candidates = [
        (3, parse_formula("a + b"), 0.1),
        (1, parse_formula("u^2 + v"), 0.1),
        (2, None, 1.0),  # unparseable: cosine only
        (0, parse_formula("u^2 + v"), 0.1),
    ]
    ranked = rerank(query, candidates)
    assert [i for _, i in ranked][:2] == [0, 1]
    renamed = structural_similarity(query, parse_formula("u^2 + v"))
    assert ranked[0][0] == pytest.approx(rerank_score(renamed, 0.1))
    assert dict((i, s) for s, i in ranked)[2] == pytest.approx(0.3)
