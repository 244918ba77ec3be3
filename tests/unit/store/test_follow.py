"""Followed indexes: a process's own FAISS indexes caught up from the database it shares with
workers that write only rows (several machines, one database, no shared folder)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from scipix_search.config import Settings
from scipix_search.store import IndexSpec, Store, repo
from tests.factories import parsed_document, random_unit_vectors

PASSAGES = IndexSpec("passages", "test-text", 8)
EQUATIONS = IndexSpec("equations", "test-formula", 4)


def _pair(db_settings: Settings, tmp_path: Path) -> tuple[Store, Store]:
    """A writer and a reader on one database, each with its own data folder."""
    db_settings.data_dir.mkdir(parents=True, exist_ok=True)  # where SQLite's file lives
    url = db_settings.resolved_database_url
    writer = Store(Settings(data_dir=tmp_path / "worker", database_url=url))
    reader = Store(Settings(data_dir=tmp_path / "api", database_url=url))
    reader.follow()
    return writer, reader


def _store(writer: Store, seed: int, passages: int = 3) -> int:
    parsed = parsed_document(f"doc{seed}.pdf", passages=passages, seed=seed)
    document_id = writer.add_document(
        parsed,
        passage_vectors=random_unit_vectors(passages, 8, seed=seed),
        equation_extras=[],
        passage_spec=PASSAGES,
        equation_spec=EQUATIONS,
        write_index=False,
    )
    assert document_id is not None
    return document_id


def _db_ids(store: Store) -> list[int]:
    with store.session() as session:
        return sorted(repo.vector_ids(session=session, kind="passages").tolist())


def test_follow_builds_catches_up_and_honours_deletions(db_settings: Settings, tmp_path: Path):
    writer, reader = _pair(db_settings, tmp_path)
    first = [_store(writer, seed) for seed in range(3)]
    assert not (tmp_path / "worker" / "indexes" / "passages").exists(), "the worker wrote files"

    index = reader.open_index(PASSAGES)  # a new process builds its index from the database
    assert sorted(index.ids().tolist()) == _db_ids(writer)

    later = [_store(writer, seed) for seed in range(3, 6)]
    writer.delete_document(first[1])
    (report,) = reader.catch_up()
    assert (report.added, report.removed) == (9, 3)
    assert reader.open_index(PASSAGES) is index, "searchers keep the one live index"
    assert sorted(index.ids().tolist()) == _db_ids(writer)
    vector = random_unit_vectors(3, 8, seed=4)[[1]]
    with writer.session() as session:
        expected = {p.id for p in repo.get_document(session=session, document_id=later[1]).passages}
    assert int(index.search(vector, k=1)[1][0][0]) in expected

    (report,) = reader.catch_up()
    assert (report.added, report.removed) == (0, 0)

    # A restart reuses the local copy and reads only what it lacks.
    _store(writer, 6)
    restarted = Store(reader.settings)
    restarted.follow()
    assert sorted(restarted.open_index(PASSAGES).ids().tolist()) == _db_ids(writer)


def test_follow_finds_a_document_committed_after_a_higher_id(db_settings: Settings, tmp_path):
    if db_settings.is_sqlite:
        pytest.skip("SQLite serialises writers: ids are committed in order there")
    writer, reader = _pair(db_settings, tmp_path)
    index = reader.open_index(PASSAGES)
    late = parsed_document("late.pdf", passages=2, seed=10)
    with writer.session() as session:
        # This transaction draws its ids first and commits last.
        held = repo.add_document(
            session=session, parsed=late, passage_vectors=random_unit_vectors(2, 8, seed=10)
        )
        late_ids = sorted(p.id for p in held.passages)
        _store(writer, 11)
        reader.catch_up()
        assert not set(late_ids) & set(index.ids().tolist())
    reader.catch_up()
    assert set(late_ids) <= set(index.ids().tolist())
    assert sorted(index.ids().tolist()) == _db_ids(writer)


def test_follow_searches_while_catching_up(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "api")
    writer = Store(settings)
    reader = Store(settings)
    reader.follow()
    index = reader.open_index(PASSAGES)
    stop = threading.Event()
    errors: list[BaseException] = []

    def search() -> None:
        queries = random_unit_vectors(4, 8, seed=99)
        while not stop.is_set():
            try:
                index.search(queries, k=5)
            except BaseException as exc:  # surfaced in the main thread
                errors.append(exc)
                return

    threads = [threading.Thread(target=search) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for seed in range(12):
            _store(writer, seed, passages=50)
            reader.catch_up()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not errors
    assert np.array_equal(np.sort(index.ids()), np.asarray(_db_ids(writer)))


def test_follow_turns_approximate_at_its_size_and_still_deletes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    writer = Store(Settings(data_dir=tmp_path / "worker", database_url=url))
    reader = Store(
        Settings(
            data_dir=tmp_path / "api",
            database_url=url,
            passage_index="ivf",
            index_approximate_from=200,
        )
    )
    reader.follow()
    index = reader.open_index(PASSAGES)
    stored = [_store(writer, seed, passages=10) for seed in range(30)]
    reader.catch_up()
    assert index.kind != "flat" and index.ntotal == 300
    writer.delete_document(stored[3])
    (report,) = reader.catch_up()
    assert report.removed == 10
    assert sorted(index.ids().tolist()) == _db_ids(writer)
