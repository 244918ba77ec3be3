"""Paper metadata in search answers: ``author:``/``year:`` filters and each hit's byline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from scipix_search.search import FilteredSearcher, PaperFilter, paper_info, parse_filters
from scipix_search.store import Store

AuthorParam = Annotated[
    str | None,
    Query(max_length=200, description="only papers with an author whose name holds this"),
]
YearParam = Annotated[
    str | None,
    Query(
        max_length=20,
        pattern=r"^\s*\d{0,4}\s*((-|\.\.)\s*\d{0,4})?\s*$",
        description="only papers of this year (2019) or range (2015-2019, 2015-, -2019)",
    ),
]


def query_filter(q: str, author: str | None, year: str | None) -> tuple[str, PaperFilter]:
    """The query less its ``author:``/``year:`` terms, and the filter they and the
    parameters make (a parameter wins over the same term in ``q``).

    Raises:
        InputError: a year that is not a year or a range (400).
    """
    words, papers = parse_filters(q)
    return words, papers.merged(author=author, year=year)


def filtered(store: Store, searcher: Any, papers: PaperFilter) -> Any:
    """The searcher, answering only the papers the filter admits when it is active."""
    if searcher is None or not papers.active:
        return searcher
    return FilteredSearcher(searcher, store, papers)


def paper_fields(store: Store, document_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per document, the ``authors`` and ``year`` fields of its hits and groups."""
    return {
        doc: {"authors": info.authors, "year": info.year}
        for doc, info in paper_info(store, document_ids).items()
    }
