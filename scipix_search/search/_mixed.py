"""Mixed queries: words and ``$...$`` math in one string, answered per document.

``convergence rate $O(1/\\sqrt{T})$ decentralized`` is split into its words (passage search)
and its formulas (equation search, one search per formula); each search ranks documents by
their best hit, and the rankings are fused by reciprocal rank (k = 60, as passage search fuses
its dense and keyword lists), so a paper that matches both the words and the formula comes
first. Each document keeps its best passage and its best equations.

Each search ranks ``depth`` (100) hits deep, but only the hits of the ``k`` documents kept are
hydrated (rows, papers, introducing sentences, matched parts): at 100k equations hydrating
every ranked equation cost several times the whole search.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Protocol

from scipix_search.exceptions import EmptyQueryError
from scipix_search.search._hits import Hit, Ranked, Ranking, reciprocal_rank_fusion

logger = logging.getLogger(__name__)

# $$...$$ before $...$; \( \) and \[ \] too. A backslash-escaped dollar is not math.
_MATH = re.compile(
    r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S
)


@dataclass(frozen=True, slots=True)
class MixedQuery:
    """A query split into its words and its formulas."""

    words: str
    formulas: list[str]


def split_query(query: str) -> MixedQuery:
    """Split a query into words and ``$...$`` formulas.

    Example:
        >>> split_query(r"convergence rate $O(1/\\sqrt{T})$ decentralized")
        MixedQuery(words='convergence rate decentralized', formulas=['O(1/\\\\sqrt{T})'])
    """
    formulas = [next(g for g in m.groups() if g is not None).strip() for m in _MATH.finditer(query)]
    words = " ".join(_MATH.sub(" ", query).split())
    return MixedQuery(words, [f for f in formulas if f])


class _Searcher(Protocol):
    def rank(self, query: str, k: int = 10) -> Ranking: ...


@dataclass(frozen=True, slots=True)
class MixedDocumentHit:
    """A document found by the words, the formulas or both, with its best hits."""

    document_id: int
    source: str
    title: str | None
    score: float
    passage: Hit | None
    equations: list[Hit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "document",
            "document_id": self.document_id,
            "source": self.source,
            "title": self.title,
            "score": round(self.score, 6),
            "passage": self.passage.to_dict() if self.passage else None,
            "equations": [h.to_dict() for h in self.equations],
        }


def search_mixed(
    query: str,
    *,
    passages: _Searcher | None,
    equations: _Searcher | None,
    k: int = 10,
    depth: int = 100,
) -> list[MixedDocumentHit]:
    """Documents for a query of words and ``$...$`` formulas, fused by reciprocal rank.

    Args:
        query: the query string.
        passages: the passage searcher (None: words are not searched).
        equations: the equation searcher (None: formulas are not searched).
        k: how many documents.
        depth: hits fetched from each search.

    Raises:
        EmptyQueryError: neither words nor formulas.
    """
    parts = split_query(query)
    if not parts.words and not parts.formulas:
        raise EmptyQueryError("empty query: type words, $LaTeX$ formulas, or both")
    rankings: list[list[int]] = []
    passage_ranking: Ranking | None = None
    best_passage: dict[int, Ranked] = {}
    # per document, its best equations: (the ranking of the formula that found it, item)
    best_equations: dict[int, list[tuple[Ranking, Ranked]]] = {}
    if parts.words and passages is not None:
        passage_ranking = passages.rank(parts.words, k=depth)
        rankings.append(_documents(passage_ranking.items))
        for item in passage_ranking.items:
            best_passage.setdefault(item.document_id, item)
    for latex in parts.formulas if equations is not None else []:
        ranking = equations.rank(latex, k=depth)  # type: ignore[union-attr]
        rankings.append(_documents(ranking.items))
        for item in ranking.items:
            found = best_equations.setdefault(item.document_id, [])
            if len(found) < 3 and item.id not in {r.id for _, r in found}:
                found.append((ranking, item))
    fused = reciprocal_rank_fusion(rankings)[:k]
    # hydrate the kept documents' hits only, one batch per ranking
    shown: dict[tuple[str, int], Hit] = {}
    if passage_ranking is not None:
        chosen = [best_passage[doc] for doc, _ in fused if doc in best_passage]
        shown.update((("passage", h.id), h) for h in passage_ranking.hits(chosen))
    by_ranking: dict[int, tuple[Ranking, list[Ranked]]] = {}
    for doc, _ in fused:
        for ranking, item in best_equations.get(doc, []):
            by_ranking.setdefault(id(ranking), (ranking, []))[1].append(item)
    for ranking, items in by_ranking.values():
        shown.update((("equation", h.id), h) for h in ranking.hits(items))
    out = []
    for doc, score in fused:
        passage = shown.get(("passage", best_passage[doc].id)) if doc in best_passage else None
        equation_hits = [
            shown[("equation", item.id)]
            for _, item in best_equations.get(doc, [])
            if ("equation", item.id) in shown
        ]
        first = passage or (equation_hits[0] if equation_hits else None)
        if first is None:  # its rows were deleted since the ranking
            continue
        out.append(MixedDocumentHit(doc, first.source, first.title, score, passage, equation_hits))
    return out


def _documents(items: list[Ranked]) -> list[int]:
    """Documents in the order of their best hit."""
    return list(dict.fromkeys(r.document_id for r in items))
