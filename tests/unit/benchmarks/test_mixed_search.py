"""The query builder of benchmarks/mixed_search.py: a sentence's words plus its formula."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from benchmarks.mixed_search import (
    MIN_TOKENS,
    Query,
    build_queries,
    inline_queries,
    pick_words,
    remembered,
    typed_tokens,
)
from benchmarks.subformula_search import reader_parts
from scipix_search.eval import paper_folders
from scipix_search.search import split_query

PASSAGE = (
    r"We set $x = 1.5$ here. The energy of a free particle is $E = m c^2 + p_{x}$ in Eq. (3), "
    r"and its momentum $p$ is conserved. Heat flows through the rod as $\partial_t u = \kappa \Delta u$."
)


def test_inline_queries_take_the_sentence_words_and_its_largest_formula() -> None:
    queries = inline_queries([PASSAGE], 3, random.Random(0))
    formulas = [f for _, f in queries]
    # '1.5' does not end a sentence; 'x = 1.5' is too short to be typed as a query
    assert formulas == [r"E = m c^2 + p_{x}", r"\partial_t u = \kappa \Delta u"]
    words, _ = queries[0]
    assert len(words.split()) == 3
    assert set(words.split()) <= {"energy", "free", "particle", "momentum", "conserved"}
    assert queries[1][0] == "heat flows rod"


def test_pick_words_keeps_sentence_order_and_skips_short_sentences() -> None:
    sentence = "the gradient of the loss bounds convergence rate in decentralized training"
    words = pick_words(sentence, 4, random.Random(1))
    assert words is not None
    order = "gradient loss bounds convergence rate decentralized training".split()
    assert [order.index(w) for w in words.split()] == sorted(order.index(w) for w in words.split())
    assert pick_words("as in the $x$ of it", 2, random.Random(1)) is None


def test_query_text_splits_back_into_its_words_and_formula() -> None:
    formula = r"\partial_t u = \kappa \Delta u"
    query = Query(0, "heat flows rod", formula, False, True, *remembered(formula))
    mixed = split_query(query.text("mixed") or "")
    assert (mixed.words, mixed.formulas) == (query.words, [query.formula])
    assert split_query(query.text("text") or "").formulas == []
    assert split_query(query.text("formula") or "").words == ""
    renamed = split_query(query.text("mixed renamed") or "")
    assert renamed.words == query.words and renamed.formulas != [formula]
    assert query.part is None and query.text("formula part") is None  # no part of 6+ tokens


def test_remembered_part_is_the_largest_typeable_part() -> None:
    formula = (
        r"\frac{\partial u}{\partial t} = \kappa \sum_{i=1}^{n} \frac{\partial^2 u}{\partial x_i^2}"
    )
    part, renamed = remembered(formula)
    parts = reader_parts(formula)
    assert part in parts
    assert all((typed_tokens(p) or 0) <= (typed_tokens(part) or 0) for p in parts)
    assert (typed_tokens(part) or 0) <= 0.7 * (typed_tokens(formula) or 0)
    assert renamed is not None and renamed != formula
    assert remembered(r"\frac{") == (None, None)


@pytest.mark.shared
@pytest.mark.slow
def test_queries_of_real_papers_use_their_own_words_and_typeable_formulas(
    shared_dir: Path,
) -> None:
    papers = paper_folders(shared_dir / "papers")[:4]
    queries = build_queries(papers, per_paper=8, n_words=4, seed=15)
    assert len(queries) >= 16
    assert any(q.display for q in queries) and any(not q.display for q in queries)
    assert {q.dev for q in queries} == {True, False}
    assert all((typed_tokens(q.formula) or 0) >= MIN_TOKENS for q in queries)
    own = 0
    for q in queries:
        folder = papers[q.paper].tex.parent
        text = " ".join(p.read_text(errors="replace") for p in folder.rglob("*.tex")).lower()
        words = set(re.findall(r"[a-z]+", text))
        own += set(q.words.split()) <= words
    assert own / len(queries) >= 0.95
