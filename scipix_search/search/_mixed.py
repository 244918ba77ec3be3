"""Mixed queries: words and ``$...$`` math in one string, answered per document.

``convergence rate $O(1/\\sqrt{T})$ decentralized`` is split into its words (passage search)
and its formulas (equation search, one search per formula); each search ranks documents by
their best hit, and the rankings are fused by reciprocal rank (k = 60, as passage search fuses
its dense and keyword lists), so a paper that matches both the words and the formula comes
first. Each document keeps its best passage and its best equations.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Protocol

from scipix_search.exceptions import EmptyQueryError
from scipix_search.search._hits import Hit, reciprocal_rank_fusion

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
    def search(self, query: str, k: int = 10) -> list[Hit]: ...


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
    best_passage: dict[int, Hit] = {}
    best_equations: dict[int, list[Hit]] = {}
    info: dict[int, Hit] = {}
    if parts.words and passages is not None:
        hits = passages.search(parts.words, k=depth)
        rankings.append(_documents(hits))
        for hit in hits:
            best_passage.setdefault(hit.document_id, hit)
            info.setdefault(hit.document_id, hit)
    for latex in parts.formulas if equations is not None else []:
        hits = equations.search(latex, k=depth)  # type: ignore[union-attr]
        rankings.append(_documents(hits))
        for hit in hits:
            found = best_equations.setdefault(hit.document_id, [])
            if len(found) < 3 and hit.id not in {h.id for h in found}:
                found.append(hit)
            info.setdefault(hit.document_id, hit)
    fused = reciprocal_rank_fusion(rankings)[:k]
    return [
        MixedDocumentHit(
            doc,
            info[doc].source,
            info[doc].title,
            score,
            best_passage.get(doc),
            best_equations.get(doc, []),
        )
        for doc, score in fused
    ]


def _documents(hits: list[Hit]) -> list[int]:
    """Documents in the order of their best hit."""
    return list(dict.fromkeys(h.document_id for h in hits))
