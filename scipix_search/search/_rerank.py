"""The structural re-rank of equation search: pure functions the searcher, tests and benchmarks share."""

from __future__ import annotations

from collections.abc import Iterable

from scipix_search.math import Formula, structural_similarity

STRUCTURE_WEIGHT = 0.7
"""Share of the structural similarity in a re-ranked score; the first-stage cosine has the rest."""


def rerank_score(structure: float, cosine: float) -> float:
    """Mix a candidate's structural similarity with its first-stage cosine.

    The structure decides; the cosine (negative values count as 0) orders candidates of equal
    structure sensibly.

    Args:
        structure: :func:`~scipix_search.math.structural_similarity` of query and candidate.
        cosine: the first-stage inner product.

    Returns:
        ``0.7 * structure + 0.3 * max(cosine, 0)``, e.g. ``rerank_score(1.0, 0.5) == 0.85``.
    """
    return STRUCTURE_WEIGHT * structure + (1 - STRUCTURE_WEIGHT) * max(cosine, 0.0)


def rerank(
    query: Formula, candidates: Iterable[tuple[int, Formula | None, float]]
) -> list[tuple[float, int]]:
    """Re-score first-stage candidates against the query, best first.

    Args:
        query: the parsed query.
        candidates: ``(id, parsed formula or None when it does not parse, cosine)``.

    Returns:
        ``(score, id)`` pairs sorted by score, descending, then by id (a stable order for ties).
    """
    scored = [
        (rerank_score(structural_similarity(query, f) if f is not None else 0.0, cosine), i)
        for i, f, cosine in candidates
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return scored
