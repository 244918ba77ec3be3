"""Search results as frozen dataclasses, serialisable to the JSON contract of the CLI and API."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal


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
