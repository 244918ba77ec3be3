"""Filters on what papers say about themselves: ``author:name`` and ``year:2019`` in a query.

``heat kernel author:lovelace year:2018-2021 $e^{-tL}$`` searches for the words and the
formula among papers with an author whose name holds "lovelace" (case-insensitive; a quoted
``author:"ada lovelace"`` needs every word) and a year from 2018 to 2021. The filter picks
the allowed documents in SQL, then the searchers' hits are kept for those documents only:
the first stage fetches more (``max(10 k, 200)``) so that k allowed hits remain in all but
very large libraries where the allowed papers are a tiny share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from scipix_search.exceptions import InputError
from scipix_search.search._hits import Hit, PaperInfo, Ranking

# SQLAlchemy and the models are imported where a filter is applied: parsing a query's filters
# (a CLI query sent to a running server) needs neither.

if TYPE_CHECKING:
    from scipix_search.store import Store

_FILTER = re.compile(r'(?<!\S)(author|year):(?:"([^"]*)"|(\S+))', re.I)
_MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$|\\\(.*?\\\)|\\\[.*?\\\]", re.S)
_YEAR = re.compile(r"^(\d{4})?\s*(?:(-|\.\.)\s*(\d{4})?)?$")


@dataclass(frozen=True, slots=True)
class PaperFilter:
    """Papers by author (every word in the author list) and year range (inclusive)."""

    author: str | None = None
    year_from: int | None = None
    year_to: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.author) or self.year_from is not None or self.year_to is not None

    def merged(self, author: str | None = None, year: str | None = None) -> PaperFilter:
        """This filter with API parameters added (a parameter wins over the query string)."""
        year_from, year_to = parse_year(year) if year else (self.year_from, self.year_to)
        return PaperFilter(author or self.author, year_from, year_to)


def parse_year(text: str) -> tuple[int | None, int | None]:
    """``2019`` -> (2019, 2019); ``2015-2019`` or ``2015..2019``; ``2015-`` and ``-2019`` open.

    Raises:
        InputError: anything else.
    """
    m = _YEAR.match(text.strip())
    if not m or not (m.group(1) or m.group(3)):
        raise InputError(f"year:{text}: give a year like 2019 or a range like 2015-2019")
    first = int(m.group(1)) if m.group(1) else None
    last = int(m.group(3)) if m.group(3) else None
    return (first, first) if m.group(2) is None else (first, last)


def parse_filters(query: str) -> tuple[str, PaperFilter]:
    """Take ``author:`` and ``year:`` out of a query (never from inside ``$...$`` math).

    Example:
        >>> parse_filters('heat kernel author:"ada lovelace" year:2019')
        ('heat kernel', PaperFilter(author='ada lovelace', year_from=2019, year_to=2019))

    Raises:
        InputError: a ``year:`` that is not a year or a range.
    """
    found: dict[str, str] = {}

    def take(m: re.Match[str]) -> str:
        found[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
        return " "

    pieces = []
    last = 0
    for math in _MATH.finditer(query):
        pieces.append(_FILTER.sub(take, query[last : math.start()]))
        pieces.append(math.group(0))
        last = math.end()
    pieces.append(_FILTER.sub(take, query[last:]))
    rest = " ".join("".join(pieces).split())
    year_from, year_to = parse_year(found["year"]) if "year" in found else (None, None)
    return rest, PaperFilter(found.get("author") or None, year_from, year_to)


def paper_conditions(paper_filter: PaperFilter) -> list[Any]:
    """SQL conditions on ``Document`` for the filter: every author word, the year range.

    One definition for the searches (:func:`allowed_documents`) and the document listing
    (``GET /v1/documents?author=&year=``), so both admit the same papers.
    """
    from sqlalchemy import func

    from scipix_search.store import Document

    conditions: list[Any] = [
        func.lower(Document.authors).contains(word)
        for word in (paper_filter.author or "").lower().split()
    ]
    if paper_filter.year_from is not None:
        conditions.append(Document.year >= paper_filter.year_from)
    if paper_filter.year_to is not None:
        conditions.append(Document.year <= paper_filter.year_to)
    return conditions


def allowed_documents(store: Store, paper_filter: PaperFilter) -> set[int]:
    """Ids of the documents the filter admits (never a duplicate build: it is not indexed)."""
    from sqlalchemy import select

    from scipix_search.store import Document

    query = select(Document.id).where(
        Document.duplicate_of.is_(None), *paper_conditions(paper_filter)
    )
    with store.session() as session:
        return set(session.scalars(query))


class _Searcher(Protocol):
    def search(self, query: str, k: int = 10, **kwargs: Any) -> list[Hit]: ...

    def rank(self, query: str, k: int = 10, **kwargs: Any) -> Ranking: ...


class FilteredSearcher:
    """A passage or equation searcher that answers hits of the admitted papers only.

    Args:
        searcher: the searcher to ask (its ``search(query, k, ...)``).
        store: where the documents' metadata is.
        paper_filter: which papers to admit; they are looked up at the first search (in the
            thread that searches, not the one that builds the searcher).
    """

    def __init__(self, searcher: _Searcher, store: Store, paper_filter: PaperFilter) -> None:
        self.searcher = searcher
        self.store = store
        self.paper_filter = paper_filter
        self._allowed: set[int] | None = None

    @property
    def allowed(self) -> set[int]:
        if self._allowed is None:
            self._allowed = allowed_documents(self.store, self.paper_filter)
        return self._allowed

    def search(self, query: str, k: int = 10, **kwargs: Any) -> list[Hit]:
        if not self.allowed:
            return []
        return self.rank(query, k, **kwargs).hits()

    def rank(self, query: str, k: int = 10, **kwargs: Any) -> Ranking:
        """The searcher's ranking, deeper, kept for the admitted papers (see the module)."""
        if not self.allowed:
            return Ranking([], lambda items: [])
        ranking = self.searcher.rank(query, k=max(10 * k, 200), **kwargs)
        return ranking.admit(self.allowed, k)


def paper_info(store: Store, document_ids: list[int]) -> dict[int, PaperInfo]:
    """The metadata of the given documents, in one query."""
    if not document_ids:
        return {}
    from scipix_search.store import repo

    with store.session() as session:
        fields = repo.paper_fields(session=session, ids=document_ids)
    return {
        doc: PaperInfo(f.title, f.authors, f.year, f.arxiv_id, f.doi) for doc, f in fields.items()
    }
