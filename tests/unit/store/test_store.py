"""Store.add_document: the rows in one transaction, then the vectors; a duplicate adds nothing."""

from __future__ import annotations

from pathlib import Path

from scipix_search.config import Settings
from scipix_search.ingest import ParsedDocument, ParsedEquation
from scipix_search.store import IndexSpec, Store, repo
from scipix_search.store.repo import EquationExtras
from tests.factories import parsed_document, random_unit_vectors

PASSAGES = IndexSpec("passages", "test-text", 8)
EQUATIONS = IndexSpec("equations", "test-formula", 4)


def _document_with_equations() -> tuple[ParsedDocument, list[EquationExtras]]:
    parsed = parsed_document(passages=3)
    parsed.equations = [
        ParsedEquation(latex=latex, page=1, bbox=None, display=True, origin="tex", order=i)
        for i, latex in enumerate(["a+b", r"\frac{a}{b", "x^2"])
    ]
    extras = [
        EquationExtras("a + b", "<math/>", random_unit_vectors(1, 4, seed=1)[0]),
        EquationExtras(None, None, None),  # did not parse: stored, without a vector
        EquationExtras("x ^ 2", "<math/>", random_unit_vectors(1, 4, seed=2)[0]),
    ]
    return parsed, extras


def test_store_add_document_writes_rows_then_vectors(tmp_path: Path) -> None:
    store = Store(Settings(data_dir=tmp_path / "data"))
    parsed, extras = _document_with_equations()
    vectors = random_unit_vectors(3, 8)

    document_id = store.add_document(
        parsed,
        passage_vectors=vectors,
        equation_extras=extras,
        passage_spec=PASSAGES,
        equation_spec=EQUATIONS,
    )

    assert document_id is not None
    with store.session() as session:
        document = repo.get_document(session=session, document_id=document_id)
        assert document is not None
        passage_ids = [p.id for p in document.passages]
        equation_ids = [e.id for e in document.equations]
    assert sorted(store.open_index(PASSAGES).ids().tolist()) == sorted(passage_ids)
    # only the equations with a vector are in the index
    assert sorted(store.open_index(EQUATIONS).ids().tolist()) == [equation_ids[0], equation_ids[2]]


def test_store_add_document_duplicate_returns_none_and_adds_nothing(tmp_path: Path) -> None:
    store = Store(Settings(data_dir=tmp_path / "data"))
    parsed, extras = _document_with_equations()
    vectors = random_unit_vectors(3, 8)

    def add() -> int | None:
        return store.add_document(
            parsed,
            passage_vectors=vectors,
            equation_extras=extras,
            passage_spec=PASSAGES,
            equation_spec=EQUATIONS,
        )

    assert add() is not None
    assert add() is None  # the same sha256: refused by the database

    with store.session() as session:
        counts = repo.count_rows(session=session)
    assert (counts["documents"], counts["passages"], counts["equations"]) == (1, 3, 3)
    assert store.open_index(PASSAGES).ntotal == 3
    assert store.open_index(EQUATIONS).ntotal == 2
