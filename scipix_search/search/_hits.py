"""Search results as frozen dataclasses, serialisable to the JSON contract of the CLI and API."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from scipix_search.store import PaperFields


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a passage or an equation, with its document and place."""

    kind: Literal["passage", "equation"]
    id: int
    document_id: int
    source: str
    title: str | None
    page: int | None
    bbox: list[float] | None
    score: float
    text: str | None = None
    latex: str | None = None
    number: str | None = None
    display: bool | None = None  # equations: a display (True) or inline math (False)
    # equations found by containing the query: the part of the equation that matched
    matched_latex: str | None = None
    # equations on a page: the sentence that introduces them (the end of the passage before)
    context: str | None = None
    # ``score`` is the probability that the hit is relevant (see ``_scores.py``); this is the
    # kind's own ranking score it came from (re-rank score, or fused reciprocal rank)
    raw_score: float | None = None
    # score >= CLOSE_MATCH: otherwise the hit is only the nearest there is
    close_match: bool | None = None
    # passages: the cosine of query and passage vectors, the feature their probability is of
    cosine: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("cosine")  # the feature behind ``score``, not a second score to read
        # The contract: passages carry "text", equations carry "latex".
        if self.kind == "passage":
            out.pop("latex")
            out.pop("number")
            out.pop("display")
            out.pop("matched_latex")
            out.pop("context")
        else:
            out.pop("text")
            if self.matched_latex is None:  # the whole equation matched
                out.pop("matched_latex")
            if self.context is None:  # no page to read it from (a LaTeX source, a list)
                out.pop("context")
        return out


@dataclass(frozen=True, slots=True)
class Ranked:
    """One ranked result before hydration: what fusion and grouping need, nothing to show."""

    id: int
    document_id: int
    score: float  # the kind's own ranking score (re-rank score, or fused reciprocal rank)


@dataclass(frozen=True, slots=True)
class Ranking:
    """A search's ranked results, hydrated into :class:`Hit` only for those asked for.

    A search that feeds a fusion or a grouping (mixed queries, documents by their best
    equations) ranks deep (100 hits) but shows a few: building a hit reads its row, its
    paper, its introducing sentence and its matched part, most of a query's cost at depth.
    ``hydrate`` keeps what the ranking computed (the parsed query, its vector, the
    first-stage scores), so nothing is encoded twice.

    Example:
        >>> r = Ranking([Ranked(7, 1, 0.9), Ranked(8, 2, 0.5)], lambda items: [])
        >>> [x.id for x in r.admit({2}).items]
        [8]
    """

    items: list[Ranked]
    hydrate: Callable[[list[Ranked]], list[Hit]]

    def hits(self, items: Iterable[Ranked] | None = None) -> list[Hit]:
        """Hits for ``items`` (default: all), in their order; rows deleted since are skipped."""
        return self.hydrate(list(self.items if items is None else items))

    def admit(self, documents: set[int], k: int | None = None) -> Ranking:
        """The items of ``documents`` only (the first ``k`` of them), hydrated the same way."""
        kept = [r for r in self.items if r.document_id in documents]
        return Ranking(kept if k is None else kept[:k], self.hydrate)


@dataclass(frozen=True, slots=True)
class PaperInfo(PaperFields):
    """What a result shows of its paper besides the title: the store's fields, and the
    byline the CLI prints from them."""

    def byline(self) -> str:
        """``Lovelace, Gauss et al. (2021)``: surnames of the first two authors and the year."""
        names = [a.split()[-1] for a in self.authors[:2] if a.split()]
        text = ", ".join(names) + (" et al." if len(self.authors) > 2 else "")
        if self.year:
            text = f"{text} ({self.year})".strip()
        return text


def reciprocal_rank_fusion(rankings: list[list[int]], *, k: int = 60) -> list[tuple[int, float]]:
    """Fuse ranked id lists by reciprocal rank (Cormack et al. 2009), best first.

    Example:
        >>> reciprocal_rank_fusion([[1, 2, 3], [3, 1]])[0][0]
        1
    """
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
