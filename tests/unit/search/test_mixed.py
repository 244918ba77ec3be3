"""Mixed queries: words and $math$ split, searched, and fused per document."""

from __future__ import annotations

import pytest

from scipix_search.exceptions import EmptyQueryError
from scipix_search.search import Hit, Ranked, Ranking, search_mixed, split_query


def test_split_query_words_and_formulas() -> None:
    parts = split_query(r"convergence rate $O(1/\sqrt{T})$ and $$\sum_k x_k$$ \(a+b\) cost \$5")
    assert parts.formulas == [r"O(1/\sqrt{T})", r"\sum_k x_k", "a+b"]
    assert parts.words == r"convergence rate and cost \$5"
    assert split_query("plain words").formulas == []


class _Fake:
    """A searcher ranking one hit per listed document; it records the hits it hydrates."""

    def __init__(self, kind: str, docs: list[int]) -> None:
        self.kind, self.docs = kind, docs
        self.hydrated: list[int] = []

    def rank(self, query: str, k: int = 10) -> Ranking:
        items = [Ranked(100 * d + r, d, 1.0 - r / 10) for r, d in enumerate(self.docs[:k])]
        return Ranking(items, self._hydrate)

    def _hydrate(self, items: list[Ranked]) -> list[Hit]:
        self.hydrated += [r.id for r in items]
        return [
            Hit(self.kind, r.id, r.document_id, f"{r.document_id}.pdf", None, 1, None, r.score)  # type: ignore[arg-type]
            for r in items
        ]


def test_search_mixed_puts_the_document_matching_both_first() -> None:
    docs = search_mixed(
        r"rate $O(1/\sqrt{T})$",
        passages=_Fake("passage", [1, 2, 3]),
        equations=_Fake("equation", [4, 3, 5]),
        k=3,
    )
    assert docs[0].document_id == 3
    assert docs[0].passage is not None and docs[0].equations
    assert docs[0].to_dict()["equations"][0]["kind"] == "equation"
    only_words = search_mixed("rate", passages=_Fake("passage", [2]), equations=None)
    assert [d.document_id for d in only_words] == [2] and only_words[0].equations == []


def test_search_mixed_empty_query() -> None:
    with pytest.raises(EmptyQueryError):
        search_mixed("  $ $ ", passages=None, equations=None)


def test_search_mixed_hydrates_only_the_documents_it_returns() -> None:
    passages, equations = _Fake("passage", list(range(50))), _Fake("equation", list(range(50)))
    docs = search_mixed("rate $x^2$", passages=passages, equations=equations, k=3)
    assert [d.document_id for d in docs] == [0, 1, 2]
    assert sorted(passages.hydrated) == [100 * d + d for d in (0, 1, 2)]
    assert sorted(equations.hydrated) == [100 * d + d for d in (0, 1, 2)]
    assert docs[1].passage is not None and docs[1].passage.id == 101
