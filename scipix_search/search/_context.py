"""The sentence that introduces an equation, found from the stored passages' places.

A PDF's passages and equations are read separately (passages in reading order, equations as
display regions), so what comes just before an equation is found by geometry: the passage
above it in its column on the same page (the nearest), else the end of the column to its left
(an equation at the top of a right-hand column), else the last passage of the previous page.
The context is that passage's last sentence. A LaTeX source without its PDF has no pages, and
its passages and equations are numbered apart, so its equations get no context (None) rather
than a guess.

Computed at hydration for the returned hits only: one query for the passages of the hits'
pages and the pages before them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from scipix_search.store import Passage

logger = logging.getLogger(__name__)

MAX_CONTEXT_CHARS = 400
# A sentence ends at . ! ? followed by a capital or an opening bracket ("e.g. the" stays
# inside, since a lower-case word follows), but not after the abbreviations papers put before
# a number or a capital ("Eq. (3)", "Ref. [12]", "Fig. 2", "et al. (2002)").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:eqs?|refs?|figs?|secs?|tabs?|thms?|lems?|defs?|props?|cor|app|ch|no|vol|pp?|"
    r"cf|vs|resp|al|i\.e|e\.g|ibid))\.$",
    re.I,
)
_TOLERANCE = 2.0  # points: boxes of one line overlap by a little


@dataclass(frozen=True, slots=True)
class PlacedPassage:
    """A passage's page, reading order, box and text: what the context needs of it."""

    page: int
    order: int
    bbox: tuple[float, float, float, float] | None
    text: str


def last_sentence(text: str, *, limit: int = MAX_CONTEXT_CHARS) -> str | None:
    """The last sentence of a passage, its end kept when it is longer than ``limit``.

    Example:
        >>> last_sentence("We fix T. The energy is conserved, so that")
        'The energy is conserved, so that'
    """
    sentences = [s for s in _sentences(" ".join(text.split())) if s]
    if not sentences:
        return None
    sentence = sentences[-1]
    # A lone fragment ("(a)", "1.") says nothing: take the sentence before it with it.
    if len(sentence.split()) < 3 and len(sentences) > 1:
        sentence = f"{sentences[-2]} {sentence}"
    if len(sentence) > limit:
        sentence = "…" + sentence[-(limit - 1) :].lstrip()
    return sentence


def _sentences(text: str) -> list[str]:
    """Split at sentence ends that do not follow an abbreviation."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text, start, m.start()) is None:
            out.append(text[start : m.start()].strip())
            start = m.end()
    out.append(text[start:].strip())
    return out


def introducing_passage(
    page: int,
    bbox: Sequence[float],
    passages: Iterable[PlacedPassage],
) -> PlacedPassage | None:
    """The passage just before an equation in reading order (see the module docstring).

    Args:
        page: the equation's page.
        bbox: the equation's box (x0, y0, x1, y1; top-left origin).
        passages: the passages of that page and of the page before it.
    """
    ex0, ey0, ex1, _ = bbox
    above: list[PlacedPassage] = []
    left: list[PlacedPassage] = []
    before: list[PlacedPassage] = []
    for p in passages:
        if p.page == page - 1:
            before.append(p)
        if p.page != page or p.bbox is None:
            continue
        x0, y0, x1, _ = p.bbox
        overlaps = min(x1, ex1) - max(x0, ex0) > _TOLERANCE
        if overlaps and y0 < ey0 - _TOLERANCE:
            above.append(p)
        elif x1 <= ex0 + _TOLERANCE:
            left.append(p)
    if above:
        return max(above, key=lambda p: (p.bbox[1] if p.bbox else 0.0, p.order))
    if left:
        return max(left, key=lambda p: p.order)
    if before:
        return max(before, key=lambda p: p.order)
    return None


def context_sentence(
    page: int, bbox: Sequence[float], passages: Sequence[PlacedPassage]
) -> str | None:
    """The sentence that introduces an equation at ``bbox`` on ``page``, or None.

    A passage that starts mid-sentence (a paragraph split at a column or page end, or a long
    one split for the encoder) is read together with the passage before it in reading order,
    so the sentence is whole.
    """
    passage = introducing_passage(page, bbox, passages)
    if passage is None:
        return None
    text = passage.text.strip()
    if text and not text[0].isupper() and len(_sentences(text)) == 1:
        previous = [p for p in passages if p.order == passage.order - 1]
        if previous:
            text = f"{previous[0].text} {text}"
    return last_sentence(text)


class PlacedEquation(Protocol):
    """What the context needs of an equation (an ``Equation`` row, or a hit's row)."""

    @property
    def id(self) -> int: ...
    @property
    def document_id(self) -> int: ...
    @property
    def page(self) -> int | None: ...
    @property
    def bbox(self) -> Sequence[float] | None: ...
    @property
    def display(self) -> bool: ...


def equation_contexts(*, session: Session, equations: Sequence[PlacedEquation]) -> dict[int, str]:
    """The introducing sentence of each placed equation, by equation id (one query).

    Equations without a page or box (LaTeX sources, collections) and inline math are left out.
    """
    placed = [
        (e.id, e.document_id, e.page, bbox)
        for e in equations
        # inline math sits inside its sentence, which the passage above is not: none yet
        if e.display and e.page is not None and (bbox := e.bbox) is not None
    ]
    if not placed:
        return {}
    pages: dict[int, set[int]] = {}
    for _, doc, page, _ in placed:
        pages.setdefault(doc, set()).update((page, page - 1))
    # One statement of a fixed shape (two IN lists: SQLAlchemy caches its compiled form);
    # the few rows of other (document, page) pairs it also returns are dropped below.
    rows = session.execute(
        select(
            Passage.document_id,
            Passage.page,
            Passage.order,
            Passage.x0,
            Passage.y0,
            Passage.x1,
            Passage.y1,
            Passage.text,
        ).where(
            Passage.document_id.in_(sorted(pages)),
            Passage.page.in_(sorted(set().union(*pages.values()))),
        )
    ).all()
    by_document: dict[int, list[PlacedPassage]] = {}
    for doc, on_page, order, x0, y0, x1, y1, text in rows:
        if on_page is None or on_page not in pages[doc]:
            continue
        box = None
        if x0 is not None and y0 is not None and x1 is not None and y1 is not None:
            box = (x0, y0, x1, y1)
        by_document.setdefault(doc, []).append(PlacedPassage(on_page, order, box, text))
    out: dict[int, str] = {}
    for eq_id, doc, page, bbox in placed:
        sentence = context_sentence(page, bbox, by_document.get(doc, []))
        if sentence:
            out[eq_id] = sentence
    return out
