"""The structural re-rank shared by the equation searcher, tests and benchmarks."""

from __future__ import annotations

import pytest

from scipix_search.math import parse_formula, structural_similarity
from scipix_search.search import (
    STRUCTURE_WEIGHT,
    SUBFORMULA_WEIGHT,
    candidate_structure,
    rerank,
    rerank_score,
    structure_score,
)


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


def test_structure_score_takes_the_better_of_whole_and_contained() -> None:
    assert SUBFORMULA_WEIGHT < 1.0
    assert structure_score(0.4, 1.0, 0.9) == pytest.approx(0.9)
    assert structure_score(0.95, 1.0, 0.9) == pytest.approx(0.95)
    assert structure_score(0.4, 1.0, 0.0) == pytest.approx(0.4)  # λ = 0: the whole only


def test_rerank_finds_the_equation_that_contains_the_query() -> None:
    query = parse_formula(r"\frac{1}{\sqrt{2 \pi \sigma^2}} e^{-x^2}")
    container = parse_formula(
        r"p(x \mid \mu, \sigma) = \frac{1}{\sqrt{2 \pi \sigma^2}} e^{-x^2} + \lambda \|w\|^2"
    )
    look_alike = parse_formula(r"\frac{1}{\sqrt{2 \pi}} e^{-y}")
    candidates = [(1, look_alike, 0.5), (2, container, 0.4)]
    assert [i for _, i in rerank(query, candidates, subformula=0.0)] == [1, 2]  # before
    assert [i for _, i in rerank(query, candidates)] == [2, 1]
    # a whole-equation match still comes first when it exists
    exact = parse_formula(r"\frac{1}{\sqrt{2 \pi \sigma^2}} e^{-x^2}")
    ranked = rerank(query, [*candidates, (3, exact, 0.9)])
    assert ranked[0][1] == 3
    whole, contained = candidate_structure(query, container)
    assert contained == pytest.approx(1.0) and whole < 0.7


def test_rerank_bounded_is_the_full_reranks_top_k() -> None:
    """Cosines computed only where they can still reach the top k give the list every cosine
    gives: the same ids, scores and order, ties included (repeated structures and vectors)."""
    import random

    from scipix_search.search._rerank import rerank_bounded, rerank_structures

    rng = random.Random(3)
    levels = [0.0, 0.25, 0.5, 0.999999, 1.0]
    for _ in range(300):
        n = rng.randint(0, 60)
        rows = []
        cosines = {}
        for i in range(n):
            whole = rng.choice(levels) if rng.random() < 0.5 else rng.random()
            contained = rng.choice(levels) if rng.random() < 0.5 else rng.random()
            cosines[i] = rng.choice([0.0, 0.5, 1.0, -0.2]) if rng.random() < 0.3 else rng.random()
            known = rng.random() < 0.3
            rows.append((i, whole, contained, cosines[i] if known else None))

        def batch(ids: list[int], cosines: dict[int, float] = cosines) -> dict[int, float]:
            return {i: cosines[i] for i in ids}

        full = rerank_structures([(i, w, c, cosines[i]) for i, w, c, _ in rows])
        for k in (1, 3, 10, 100):
            assert rerank_bounded(rows, batch, k) == full[:k]
        assert rerank_bounded(rows, batch, 0) == []
