"""Unit tests for the LaTeX tokenizer."""

from __future__ import annotations

import pytest

from scipix_search.exceptions import LatexParseError
from scipix_search.math import tokenize


def test_tokenize_splits_commands_and_digits() -> None:
    assert tokenize(r"\frac12 + x_{10}") == ["\\frac", "1", "2", "+", "x", "_", "{", "1", "0", "}"]


def test_tokenize_control_symbols() -> None:
    assert tokenize(r"\{ a \, b \\ c \| \ ") == ["\\{", "a", "\\,", "b", "\\\\", "c", "\\|", "\\ "]


def test_tokenize_environments_are_one_token() -> None:
    assert tokenize(r"\begin {pmatrix} a \end{pmatrix}") == [
        "\\begin{pmatrix}",
        "a",
        "\\end{pmatrix}",
    ]


def test_tokenize_query_variables() -> None:
    assert tokenize(r"\qvar{*1*} + ?x + \qvar{y}") == ["?1", "+", "?x", "+", "?y"]


def test_tokenize_strips_comments() -> None:
    assert tokenize("a % comment\n+ b \\% c") == ["a", "+", "b", "\\%", "c"]


def test_tokenize_trailing_backslash_is_control_space() -> None:
    assert tokenize("x \\") == ["x", "\\ "]


def test_tokenize_non_string_raises() -> None:
    with pytest.raises(LatexParseError):
        tokenize(None)  # type: ignore[arg-type]
