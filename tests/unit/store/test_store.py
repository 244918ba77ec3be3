"""Store.add_document: the rows in one transaction, then the vectors; a duplicate adds nothing."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from scipix_search.config import Settings
from scipix_search.ingest import ParsedDocument, ParsedEquation
from scipix_search.store import Document, IndexMeta, IndexSpec, Store, repo
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


def _store_with_documents(tmp_path: Path, n: int = 3) -> tuple[Store, list[int]]:
    """A store holding ``n`` documents of 3 passages and 2 equation vectors each."""
    store = Store(Settings(data_dir=tmp_path / "data"))
    for i in range(n):
        parsed, extras = _document_with_equations()
        parsed.sha256 = f"{i:064x}"
        store.add_document(
            parsed,
            passage_vectors=random_unit_vectors(3, 8, seed=i),
            equation_extras=extras,
            passage_spec=PASSAGES,
            equation_spec=EQUATIONS,
        )
    with store.session() as session:
        ids = sorted(repo.vector_ids(session=session, kind="passages").tolist())
    return store, ids


def _index_file(store: Store, kind: str = "passages") -> Path:
    directory = store.index_dir(kind)
    return directory / json.loads((directory / "manifest.json").read_text())["file"]


def test_store_open_index_rebuilds_a_deleted_index(tmp_path: Path, caplog) -> None:
    store, ids = _store_with_documents(tmp_path)
    for path in store.index_dir("passages").iterdir():
        path.unlink()
    with caplog.at_level(logging.WARNING, logger="scipix_search.store"):
        index = store.open_index(PASSAGES)
    assert sorted(index.ids().tolist()) == ids
    assert "passages index repaired from the database" in caplog.text
    assert store.index_meta("passages") == IndexMeta(8, "ip", "test-text", len(ids), 2)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_store_open_index_repairs_a_corrupt_index(tmp_path: Path, caplog, damage: str) -> None:
    store, ids = _store_with_documents(tmp_path)
    path = _index_file(store)
    data = path.read_bytes()
    path.write_bytes(
        {"truncated": data[: len(data) // 3], "garbage": b"\x00junk" * 99}.get(damage, b"")
    )
    with caplog.at_level(logging.WARNING, logger="scipix_search.store"):
        index = store.open_index(PASSAGES)
    assert sorted(index.ids().tolist()) == ids
    assert "repaired" in caplog.text and "bytes" in caplog.text
    # what it searches is the stored vector: the first passage finds itself
    with store.session() as session:
        first = next(repo.iter_vectors(session=session, kind="passages"))
    assert index.search(first[1][:1], k=1)[1][0][0] == first[0][0]
    assert store.index_problems == {}


def test_store_open_index_repairs_an_index_of_the_old_layout_killed_between_renames(
    tmp_path: Path,
) -> None:
    import faiss

    store, ids = _store_with_documents(tmp_path)
    directory = store.index_dir("passages")
    for path in directory.iterdir():
        path.unlink()
    # earlier versions: index.faiss renamed, then killed before meta.json was
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(8))
    index.add_with_ids(random_unit_vectors(len(ids), 8), np.array(ids, dtype=np.int64))
    faiss.write_index(index, str(directory / "index.faiss"))
    meta = {"dim": 8, "metric": "ip", "encoder": "test-text", "count": 2, "version": 1}
    (directory / "meta.json").write_text(json.dumps(meta))
    report = store.sync(PASSAGES)
    assert "holds 9 vectors" in report.problem
    assert sorted(store.open_index(PASSAGES).ids().tolist()) == ids
    assert sorted(p.name for p in directory.iterdir() if p.name != ".lock") == [
        _index_file(store).name,
        "manifest.json",
    ]


def test_store_sync_migrates_a_consistent_index_of_the_old_layout(tmp_path: Path) -> None:
    store, ids = _store_with_documents(tmp_path, n=1)
    index = store.open_index(PASSAGES)
    directory = store.index_dir("passages")
    faiss_bytes = _index_file(store).read_bytes()
    for path in directory.iterdir():
        path.unlink()
    (directory / "index.faiss").write_bytes(faiss_bytes)
    meta = {"dim": 8, "metric": "ip", "encoder": "test-text", "count": index.ntotal, "version": 1}
    (directory / "meta.json").write_text(json.dumps(meta))
    report = store.sync(PASSAGES)
    assert (report.added, report.removed) == (0, 0)
    assert "earlier version" in report.problem
    assert not (directory / "meta.json").exists()
    assert (directory / "manifest.json").exists()


def test_store_sync_removes_vectors_the_database_does_not_hold(tmp_path: Path) -> None:
    store, ids = _store_with_documents(tmp_path, n=2)
    store.add_vectors(PASSAGES, np.array([9001, 9002]), random_unit_vectors(2, 8, seed=7))
    report = store.sync(PASSAGES)
    assert (report.added, report.removed, report.total) == (0, 2, len(ids))
    assert store.sync(PASSAGES).repaired is False  # now they agree: nothing to do


def test_store_open_index_rebuilds_an_index_of_another_encoder(tmp_path: Path) -> None:
    store, ids = _store_with_documents(tmp_path, n=1)
    other = IndexSpec("passages", "another-text", 8)
    index = store.open_index(other)
    assert sorted(index.ids().tolist()) == ids
    assert store.index_meta("passages").encoder == "another-text"


def test_store_cleans_leftovers_of_a_killed_save_at_open(tmp_path: Path) -> None:
    store, _ids = _store_with_documents(tmp_path, n=1)
    directory = store.index_dir("equations")
    leftovers = [".index-000099.faiss.abc.tmp", ".manifest.json.def.tmp", "index-000098.faiss"]
    for name in leftovers:
        (directory / name).write_bytes(b"half")
    store.open_index(EQUATIONS)
    assert not [name for name in leftovers if (directory / name).exists()]


def test_store_rebuild_commits_one_new_generation(tmp_path: Path) -> None:
    store, ids = _store_with_documents(tmp_path)
    before = store.index_meta("passages")
    old_file = _index_file(store)
    report = store.rebuild(PASSAGES)
    assert (report.total, store.index_meta("passages")) == (len(ids), before)
    assert not old_file.exists() and _index_file(store).exists()


def test_store_later_opens_trust_an_index_of_the_right_size_first_opens_do_not(
    tmp_path: Path,
) -> None:
    store, ids = _store_with_documents(tmp_path, n=2)
    # swap one id of the index for an id the database does not hold: same count, other ids
    swapped = store.open_index(PASSAGES)
    swapped.remove(np.array([ids[0]]))
    swapped.add(np.array([9999]), random_unit_vectors(1, 8, seed=5))
    swapped.save()
    # this store compared id by id at its first open above: now the counts agree, enough
    assert 9999 in store.open_index(PASSAGES).ids().tolist()
    # a fresh store (a process starting) compares ids and repairs
    fresh = Store(store.settings)
    assert sorted(fresh.open_index(PASSAGES).ids().tolist()) == ids
    # and a lagging index is caught by the count at any open
    with store.session() as session:
        parsed = parsed_document("late.pdf", passages=2, seed=42)
        repo.add_document(
            session=session, parsed=parsed, passage_vectors=random_unit_vectors(2, 8, seed=42)
        )
    assert store.open_index(PASSAGES).ntotal == len(ids) + 2


def test_store_delete_document_with_a_corrupt_index_still_deletes_and_heals(
    tmp_path: Path,
) -> None:
    store, ids = _store_with_documents(tmp_path, n=2)
    with store.session() as session:
        first = min(d.id for d in session.scalars(select(Document)))
    path = _index_file(store)
    path.write_bytes(path.read_bytes()[:50])
    assert store.delete_document(first)
    with store.session() as session:
        left = sorted(repo.vector_ids(session=session, kind="passages").tolist())
    assert len(left) == len(ids) - 3
    assert sorted(store.open_index(PASSAGES).ids().tolist()) == left
