"""Unit tests for token edit similarity and BLEU-4."""

from __future__ import annotations

import pytest

from scipix_search.math import bleu4, corpus_bleu4, levenshtein, token_similarity


def test_levenshtein_counts_edits() -> None:
    assert levenshtein(list("kitten"), list("sitting")) == 3
    assert levenshtein([], ["a"]) == 1


def test_token_similarity_uses_canonical_tokens() -> None:
    assert token_similarity(r"\dfrac12", r"\frac { 1 } { 2 }") == 1.0
    assert token_similarity(r"\left( x \right)", "(x)") == 1.0
    # what aligning a LaTeX source with its PDF relies on: spacing, sizing and end punctuation
    assert token_similarity(r"\left( x \right) \, ,", "(x)") == 1.0
    assert token_similarity("a+b", "c-d") < 0.5


def test_token_similarity_partial() -> None:
    assert token_similarity("x^2", "y^2") == pytest.approx(1 - 1 / 5)
    assert token_similarity("", "") == 1.0
    assert token_similarity(["a"], []) == 0.0


def test_token_similarity_unparseable_falls_back_to_raw_tokens() -> None:
    assert 0.0 < token_similarity(r"\frac{a}{b", r"\frac{a}{b}") < 1.0


def test_bleu4_perfect_and_partial() -> None:
    assert bleu4(r"\frac{a}{b}", r"\dfrac ab") == pytest.approx(1.0)
    partial = bleu4("a + b = c", "a + b = d")
    assert 0.0 < partial < 1.0
    assert bleu4("a + b = c", "") == 0.0


def test_corpus_bleu4_length_mismatch_raises() -> None:
    with pytest.raises(ValueError):
        corpus_bleu4(["a"], [])
