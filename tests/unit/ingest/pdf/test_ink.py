"""Tall Unicode delimiters and big operators, told by their drawn height (``_ink``)."""

from __future__ import annotations

from scipix_search.ingest.pdf._ink import TALL_DELIMITER, tall_name


def test_tall_name_text_paren_is_not_tall() -> None:
    # a text parenthesis draws about one em
    assert tall_name("(", 10.0, (100.0, 110.0)) == ""


def test_tall_name_sized_paren_takes_its_cmex_name() -> None:
    assert tall_name("(", 10.0, (100.0, 100.0 + (TALL_DELIMITER + 0.5) * 10)) == "parenleft"
    assert tall_name("}", 10.0, (100.0, 130.0)) == "braceright"


def test_tall_name_operator_is_named_whatever_its_height() -> None:
    assert tall_name("∑", 10.0, (100.0, 110.0)) == "summation"
    assert tall_name("∫", 10.0, (100.0, 125.0)) == "integral"


def test_tall_name_piece_is_named_at_any_height() -> None:
    assert tall_name("⎜", 10.0, (100.0, 106.0)) == "parenleftex"


def test_tall_name_unknown_ink_or_other_char() -> None:
    assert tall_name("(", 10.0, None) == ""
    assert tall_name("x", 10.0, (100.0, 130.0)) == ""
