"""The store on real databases: SQLite and PostgreSQL (see the db_settings fixture)."""

import numpy as np
import pytest
from sqlalchemy.exc import IntegrityError

from scipix_search.store import IndexSpec, Store, repo
from tests.factories import parsed_document, random_unit_vectors

SPEC = IndexSpec("passages", "test-encoder", 16)


def _add(store: Store, seed: int, n: int = 3) -> tuple[int, list[int]]:
    parsed = parsed_document(f"doc{seed}.pdf", passages=n, seed=seed)
    vectors = random_unit_vectors(n, 16, seed=seed)
    with store.session() as session:
        document = repo.add_document(session=session, parsed=parsed, passage_vectors=vectors)
        ids = [p.id for p in document.passages]
        doc_id = document.id
    store.add_vectors(SPEC, np.array(ids), vectors)
    return doc_id, ids


def test_store_add_and_count(db_settings):
    store = Store(db_settings)
    _add(store, 1)
    _add(store, 2, n=2)
    with store.session() as session:
        counts = repo.count_rows(session=session)
    assert counts["documents"] == 2
    assert counts["passages"] == 5 and counts["passage_vectors"] == 5
    assert store.open_index(SPEC).ntotal == 5


def test_store_same_sha_twice_is_rejected(db_settings):
    store = Store(db_settings)
    parsed = parsed_document("same.pdf")
    with store.session() as session:
        repo.add_document(
            session=session, parsed=parsed, passage_vectors=random_unit_vectors(3, 16)
        )
    with pytest.raises(IntegrityError), store.session() as session:
        repo.add_document(
            session=session, parsed=parsed, passage_vectors=random_unit_vectors(3, 16)
        )
    with store.session() as session:
        assert repo.count_rows(session=session)["documents"] == 1


def test_store_fulltext_finds_exact_words(db_settings):
    store = Store(db_settings)
    doc_id, ids = _add(store, 7)
    with store.session() as session:
        hits = repo.fulltext_passages(session=session, query="orthogonal basis Variant", limit=10)
        none = repo.fulltext_passages(session=session, query="zzzunknownword", limit=10)
    assert {pid for pid, _ in hits} == set(ids)
    assert none == []


def test_store_delete_removes_rows_vectors_and_fulltext(db_settings):
    store = Store(db_settings)
    keep_id, keep_ids = _add(store, 1)
    drop_id, drop_ids = _add(store, 2)
    assert store.delete_document(drop_id)
    assert not store.delete_document(drop_id)
    with store.session() as session:
        counts = repo.count_rows(session=session)
        remaining = {
            pid for pid, _ in repo.fulltext_passages(session=session, query="Variant", limit=50)
        }
    assert counts["documents"] == 1 and counts["passages"] == 3
    assert remaining == set(keep_ids)
    assert sorted(store.open_index(SPEC).ids().tolist()) == sorted(keep_ids)


def test_store_sync_repairs_index_missing_vectors(db_settings):
    store = Store(db_settings)
    parsed = parsed_document("crash.pdf", passages=4)
    with store.session() as session:
        # Committed to the database, but the process "died" before the index was saved.
        repo.add_document(
            session=session, parsed=parsed, passage_vectors=random_unit_vectors(4, 16)
        )
    meta = store.index_meta("passages")
    assert meta is None or meta.count == 0  # the index on disk lags behind the database
    report = store.sync(SPEC)
    assert (report.added, report.removed, report.total) == (4, 0, 4)
    assert store.sync(SPEC).added == 0


def test_store_rebuild_from_database(db_settings):
    store = Store(db_settings)
    _, ids = _add(store, 3)
    for path in (db_settings.index_dir / "passages").iterdir():
        path.unlink()
    report = store.rebuild(SPEC)
    assert report.total == 3
    assert sorted(store.open_index(SPEC).ids().tolist()) == sorted(ids)
