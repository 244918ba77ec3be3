"""``author:`` and ``year:`` in queries: parsing, the papers they admit, filtered searchers."""

from __future__ import annotations

import numpy as np
import pytest

from scipix_search.config import Settings
from scipix_search.exceptions import InputError
from scipix_search.ingest import ParsedDocument
from scipix_search.search import (
    FilteredSearcher,
    Hit,
    PaperFilter,
    Ranked,
    Ranking,
    allowed_documents,
    paper_info,
    parse_filters,
)
from scipix_search.store import Store, repo


@pytest.mark.parametrize(
    ("query", "words", "expected"),
    [
        ("heat kernel author:lovelace", "heat kernel", PaperFilter("lovelace")),
        ('author:"ada lovelace" year:2019 flow', "flow", PaperFilter("ada lovelace", 2019, 2019)),
        ("year:2015-2019 $x^2$", "$x^2$", PaperFilter(None, 2015, 2019)),
        ("year:2015..2019", "", PaperFilter(None, 2015, 2019)),
        ("year:-2019 rate", "rate", PaperFilter(None, None, 2019)),
        ("YEAR:2018- rate", "rate", PaperFilter(None, 2018, None)),
        # inside math a colon term is the formula's, and a word merely ending so is kept
        (r"$\text{author:x}$ coauthor:y", r"$\text{author:x}$ coauthor:y", PaperFilter()),
    ],
)
def test_parse_filters_takes_terms_out_of_the_query(query, words, expected):
    assert parse_filters(query) == (words, expected)


@pytest.mark.parametrize("query", ["year:19", "year:twenty", "year:2019-20x"])
def test_parse_filters_refuses_a_year_that_is_none(query):
    with pytest.raises(InputError, match="year"):
        parse_filters(query)


def test_api_parameters_win_over_terms_in_the_query():
    _, papers = parse_filters("x author:gauss year:2001")
    assert papers.merged(author="lovelace", year="2019") == PaperFilter("lovelace", 2019, 2019)
    assert papers.merged() == papers


def _document(store: Store, name: str, authors: list[str], year: int | None, **kw) -> int:
    parsed = ParsedDocument(
        source=name, sha256=name * 8, kind="pdf", title=f"On {name}", authors=authors, year=year
    )
    with store.session() as session:
        doc = repo.add_document(
            session=session, parsed=parsed, passage_vectors=np.zeros((0, 4)), **kw
        )
        return doc.id


class _Stub:
    """A searcher answering one hit per stored document, best first (ranking is not tested)."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self.asked: list[int] = []

    def search(self, query: str, k: int = 10, **kwargs: object) -> list[Hit]:
        return self.rank(query, k).hits()

    def rank(self, query: str, k: int = 10, **kwargs: object) -> Ranking:
        self.asked.append(k)
        items = [Ranked(i, doc, 1.0 / (i + 1)) for i, doc in enumerate(self.ids[:k])]
        return Ranking(
            items,
            lambda chosen: [
                Hit("passage", r.id, r.document_id, "x.pdf", None, 1, None, r.score) for r in chosen
            ],
        )


def test_filtered_searcher_keeps_admitted_papers_only(settings: Settings):
    store = Store(settings)
    ada = _document(store, "ada", ["Ada Lovelace", "Carl Gauss"], 2019)
    carl = _document(store, "carl", ["Carl Gauss"], 1809)
    anon = _document(store, "anon", [], None)
    dup = _document(store, "dup", ["Ada Lovelace"], 2019, duplicate_of=ada)
    assert allowed_documents(store, PaperFilter("gauss")) == {ada, carl}
    assert allowed_documents(store, PaperFilter("ada lovelace")) == {ada}  # not its duplicate
    assert allowed_documents(store, PaperFilter(None, 1800, 1900)) == {carl}
    assert allowed_documents(store, PaperFilter("nobody")) == set()
    stub = _Stub([anon, carl, ada, dup])
    hits = FilteredSearcher(stub, store, PaperFilter("lovelace")).search("q", k=5)
    assert [h.document_id for h in hits] == [ada]
    assert stub.asked == [200]  # the first stage fetched deeper than k
    info = paper_info(store, [ada, anon])
    assert info[ada].byline() == "Lovelace, Gauss (2019)" and info[anon].byline() == ""
