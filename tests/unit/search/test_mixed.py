"""Mixed queries: words and $math$ split, searched, and fused per document."""

from __future__ import annotations

import pytest

from scipix_search.exceptions import EmptyQueryError
from scipix_search.search import Hit, search_mixed, split_query


def test_split_query_words_and_formulas() -> None:
    parts = split_query(r"convergence rate $O(1/\sqrt{T})$ and $$\sum_k x_k$$ \(a+b\) cost \$5")
    assert parts.formulas == [r"O(1/\sqrt{T})", r"\sum_k x_k", "a+b"]
    assert parts.words == r"convergence rate and cost \$5"
    assert split_query("plain words").formulas == []


class _Fake:
    def __init__(self, kind: str, docs: list[int]) -> None:
        self.kind, self.docs = kind, docs

    def search(self, query: str, k: int = 10) -> list[Hit]:
        return [
            Hit(self.kind, 100 * d + r, d, f"{d}.pdf", None, 1, None, 1.0 - r / 10)  # type: ignore[arg-type]
            for r, d in enumerate(self.docs[:k])
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
