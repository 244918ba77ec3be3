"""Formula collections (.txt / .tsv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.exceptions import CorruptInputError, InputError, UnsupportedContentError
from scipix_search.ingest._collection import parse_formula_collection


def test_parse_formula_collection_txt(tmp_path: Path) -> None:
    path = tmp_path / "formulas.txt"
    path.write_text("a^2 + b^2 = c^2\n\n\\frac { 1 } { 2 }\n", encoding="utf-8")
    doc = parse_formula_collection(path)
    assert doc.kind == "collection"
    assert [(e.latex, e.order, e.origin) for e in doc.equations] == [
        ("a^2 + b^2 = c^2", 1, "collection"),
        ("\\frac { 1 } { 2 }", 3, "collection"),
    ]
    assert len(doc.sha256) == 64


def test_parse_formula_collection_tsv_id_and_header(tmp_path: Path) -> None:
    path = tmp_path / "queries.tsv"
    path.write_text("id\tlatex\nA.1\tx_{1}\nB.2\textra\t\\sqrt{y}\n", encoding="utf-8")
    doc = parse_formula_collection(path)
    assert [(e.number, e.latex, e.order) for e in doc.equations] == [
        ("A.1", "x_{1}", 2),
        ("B.2", "\\sqrt{y}", 3),
    ]


def test_parse_formula_collection_rejects_other_suffix(tmp_path: Path) -> None:
    path = tmp_path / "formulas.csv"
    path.write_text("x\n")
    with pytest.raises(UnsupportedContentError):
        parse_formula_collection(path)


def test_parse_formula_collection_empty_and_binary(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(InputError):
        parse_formula_collection(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CorruptInputError):
        parse_formula_collection(binary)


@pytest.mark.shared
def test_parse_formula_collection_shared_files(shared_dir: Path) -> None:
    formulas = parse_formula_collection(shared_dir / "formulas" / "im2latex_val_formulas.txt")
    assert len(formulas.equations) == 8475
    topics = parse_formula_collection(
        shared_dir / "queries" / "topics.ntcir12-math-browsing-concrete.txt"
    )
    assert all(e.number and "\t" not in e.latex for e in topics.equations)
