"""The structural re-rank of equation search: pure functions the searcher, tests and benchmarks share."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping

from scipix_search.math import Formula, match_scores, structural_similarity

STRUCTURE_WEIGHT = 0.7
"""Share of the structural similarity in a re-ranked score; the first-stage cosine has the rest."""

COSINE_BOUND = 1.001
"""Above the cosine of any two L2-normalised (or zero) float32 vectors: 1 by Cauchy-Schwarz,
plus the dot product's rounding (~1e-6 at 1024 dimensions)."""

SUBFORMULA_WEIGHT = 0.8
"""λ: a candidate that contains the query scores ``λ * containment`` when that beats its whole
match. Below 1, so a whole-equation match still comes first when it exists. Chosen by
``benchmarks/subformula_search.py`` at 100k equations on the dev half of the real papers (the
smallest λ with the best sub-formula figures and no drop in whole-row or renamed search;
0.8 and 0.9 tie there and on the test half)."""


def structure_score(whole: float, contained: float, subformula: float = SUBFORMULA_WEIGHT) -> float:
    """A candidate's structural score: its whole match, or its containment of the query scaled.

    Args:
        whole: :func:`~scipix_search.math.structural_similarity` of query and candidate.
        contained: :func:`~scipix_search.math.containment` of the query in the candidate.
        subformula: λ; 0 scores the whole formula only (the searcher before sub-formulas).

    Returns:
        ``max(whole, subformula * contained)``, e.g. ``structure_score(0.4, 1.0, 0.9) == 0.9``.
    """
    return max(whole, subformula * contained)


def rerank_score(structure: float, cosine: float) -> float:
    """Mix a candidate's structural similarity with its first-stage cosine.

    The structure decides; the cosine (negative values count as 0) orders candidates of equal
    structure sensibly.

    Args:
        structure: :func:`~scipix_search.math.structural_similarity` of query and candidate
            (or :func:`structure_score`).
        cosine: the first-stage inner product.

    Returns:
        ``0.7 * structure + 0.3 * max(cosine, 0)``, e.g. ``rerank_score(1.0, 0.5) == 0.85``.
    """
    return STRUCTURE_WEIGHT * structure + (1 - STRUCTURE_WEIGHT) * max(cosine, 0.0)


def candidate_structure(
    query: Formula, candidate: Formula | None, subformula: float = SUBFORMULA_WEIGHT
) -> tuple[float, float]:
    """``(whole, contained)`` of one candidate: its structural similarity and its containment
    of the query (0.0 when λ is 0: the whole-formula score alone, as before sub-formulas)."""
    if candidate is None:
        return 0.0, 0.0
    if subformula <= 0.0:
        return structural_similarity(query, candidate), 0.0
    return match_scores(query, candidate)


def rerank(
    query: Formula,
    candidates: Iterable[tuple[int, Formula | None, float]],
    *,
    subformula: float = SUBFORMULA_WEIGHT,
) -> list[tuple[float, int]]:
    """Re-score first-stage candidates against the query, best first.

    Args:
        query: the parsed query.
        candidates: ``(id, parsed formula or None when it does not parse, cosine)``.
        subformula: λ of :func:`structure_score`; 0.0 ranks by the whole formula only.

    Returns:
        ``(score, id)`` pairs sorted by score, descending, then by id (a stable order for ties).
    """
    return rerank_structures(
        (
            (i, *candidate_structure(query, formula, subformula), cosine)
            for i, formula, cosine in candidates
        ),
        subformula=subformula,
    )


def rerank_structures(
    candidates: Iterable[tuple[int, float, float, float]],
    *,
    subformula: float = SUBFORMULA_WEIGHT,
) -> list[tuple[float, int]]:
    """:func:`rerank` of candidates already scored: ``(id, whole, contained, cosine)``.

    The searcher scores its candidates from their stored sketches
    (:meth:`~scipix_search.search.TupleIndex.structures`), not from parsed formulas.
    """
    scored = []
    for i, whole, contained, cosine in candidates:
        structure = structure_score(whole, contained, subformula)
        scored.append((rerank_score(structure, cosine), i))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return scored


def rerank_bounded(
    candidates: Iterable[tuple[int, float, float, float | None]],
    cosines: Callable[[list[int]], Mapping[int, float]],
    k: int,
    *,
    subformula: float = SUBFORMULA_WEIGHT,
) -> list[tuple[float, int]]:
    """``rerank_structures(...)[:k]`` where the cosines given as None are asked of
    ``cosines(ids)`` (a batch at a time) only for candidates that can still reach the top k.

    Candidates are taken by their best possible score (their structure with a cosine of
    :data:`COSINE_BOUND`); once that is below the ``k``-th best exact score, no candidate left
    can enter the top ``k`` nor tie with it, so the list is the one every cosine computed
    gives. At 200k equations a query's top 10 can hold ~15 of its ~170 candidates (p90 30):
    the first batch (``2k + 16``) is nearly always the only one, so ~36 stored vectors are
    read and scored instead of every candidate's.
    """
    if k <= 0:
        return []
    exact: list[tuple[int, float, float, float]] = []
    best: list[float] = []  # the k best exact scores (a min-heap)
    pending: list[tuple[float, int, float, float]] = []

    def keep(i: int, whole: float, contained: float, cos: float) -> None:
        exact.append((i, whole, contained, cos))
        score = rerank_score(structure_score(whole, contained, subformula), cos)
        if len(best) < k:
            heapq.heappush(best, score)
        else:
            heapq.heappushpop(best, score)

    for i, whole, contained, cos in candidates:
        if cos is None:
            bound = rerank_score(structure_score(whole, contained, subformula), COSINE_BOUND)
            pending.append((bound, i, whole, contained))
        else:
            keep(i, whole, contained, cos)
    pending.sort(key=lambda item: -item[0])
    batch, at = 2 * k + 16, 0
    while at < len(pending) and (len(best) < k or pending[at][0] >= best[0]):
        chunk = pending[at : at + batch]
        found = cosines([i for _, i, _, _ in chunk])
        for _, i, whole, contained in chunk:
            keep(i, whole, contained, found[i])
        at += len(chunk)
    return rerank_structures(exact, subformula=subformula)[:k]
