"""Append-only saves: new vectors committed as delta files beside the generation.

An index after many appends must answer exactly as one rebuilt from the database; a delta that
no manifest names is ignored and cleaned; a damaged one is repaired from the database.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from scipix_search.config import Settings
from scipix_search.exceptions import IndexCorruptError
from scipix_search.store import IndexPolicy, IndexSpec, Store, VectorIndex, repo
from scipix_search.store._deltas import DELTA_SHARE, append_delta
from tests.factories import parsed_document, random_unit_vectors

PASSAGES = IndexSpec("passages", "test-text", 8)
EQUATIONS = IndexSpec("equations", "test-formula", 4)


def _add(store: Store, seed: int, passages: int) -> None:
    parsed = parsed_document(f"doc{seed}.pdf", passages=passages, seed=seed)
    store.add_document(
        parsed,
        passage_vectors=random_unit_vectors(passages, 8, seed=seed),
        equation_extras=[],
        passage_spec=PASSAGES,
        equation_spec=EQUATIONS,
    )


def _deltas(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("delta-*.bin"))


def _manifest(directory: Path) -> dict:
    return json.loads((directory / "manifest.json").read_text())


@pytest.fixture
def appended(tmp_path: Path) -> tuple[Store, list[int]]:
    """60 documents of 1-12 passages each; returns the store and the most delta files seen."""
    store = Store(Settings(data_dir=tmp_path / "data"))
    sizes = np.random.default_rng(3).integers(1, 13, size=60)
    seen = []
    directory = store.index_dir("passages")
    for seed, size in enumerate(sizes):
        _add(store, seed, int(size))
        manifest = _manifest(directory)
        # the folder holds exactly the files its manifest names (no leftovers of merges)
        assert _deltas(directory) == sorted(d["file"] for d in manifest["deltas"])
        in_deltas = sum(d["count"] for d in manifest["deltas"])
        assert in_deltas <= DELTA_SHARE * (manifest["count"] - in_deltas)
        seen.append(len(manifest["deltas"]))
    return store, seen


def test_appends_answer_like_an_index_rebuilt_from_the_database(appended) -> None:
    store, seen = appended
    directory = store.index_dir("passages")
    assert max(seen) >= 2  # the appends did go to deltas, and merges kept their number small
    assert max(seen) <= 1 + int(np.log2(60 * 12))
    appended_index = VectorIndex.open(directory, dim=8, encoder="test-text")
    with store.session() as session:
        db_ids = np.sort(repo.vector_ids(session=session, kind="passages"))
    assert np.array_equal(np.sort(appended_index.ids()), db_ids)
    queries = random_unit_vectors(25, 8, seed=99)
    scores, ids = appended_index.search(queries, k=10)
    store.rebuild(PASSAGES)
    assert _deltas(directory) == []  # a rebuild is one generation
    rebuilt = VectorIndex.open(directory, dim=8, encoder="test-text")
    rebuilt_scores, rebuilt_ids = rebuilt.search(queries, k=10)
    assert np.array_equal(ids, rebuilt_ids)
    assert np.allclose(scores, rebuilt_scores)
    assert store.index_meta("passages").count == len(db_ids)  # type: ignore[union-attr]


def test_a_delta_no_manifest_names_is_ignored_and_cleaned(appended) -> None:
    store, _seen = appended
    directory = store.index_dir("passages")
    generation = _manifest(directory)["generation"]
    stray = directory / f"delta-{generation:06d}-999999.bin"
    stray.write_bytes(b"half a delta, written by a process killed before its commit")
    index = store.open_index(PASSAGES)  # the first open of a store checks id by id
    with store.session() as session:
        assert sorted(index.ids().tolist()) == sorted(
            repo.vector_ids(session=session, kind="passages").tolist()
        )
    assert not stray.exists()


def test_a_damaged_delta_is_repaired_from_the_database(appended, caplog) -> None:
    store, _seen = appended
    directory = store.index_dir("passages")
    _add(store, 1000, 1)  # a last append, so that the folder holds a delta
    delta = directory / _manifest(directory)["deltas"][-1]["file"]
    data = bytearray(delta.read_bytes())
    data[-1] ^= 0xFF
    delta.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError):
        VectorIndex.open(directory, dim=8, encoder="test-text")
    with caplog.at_level(logging.WARNING, logger="scipix_search.store"):
        index = store.open_index(PASSAGES)
    assert "passages index repaired from the database" in caplog.text
    with store.session() as session:
        db_ids = repo.vector_ids(session=session, kind="passages")
    assert sorted(index.ids().tolist()) == sorted(db_ids.tolist())
    assert _deltas(directory) == []


def test_append_refuses_what_only_a_whole_save_can_do(appended) -> None:
    store, _seen = appended
    directory = store.index_dir("passages")
    manifest = _manifest(directory)
    policy = IndexPolicy()
    vector = random_unit_vectors(1, 8, seed=12345)  # no document's vector

    def append(ids: list[int], vectors: np.ndarray = vector, **kw: object) -> bool:
        args = {"dim": 8, "encoder": "test-text", "policy": policy, **kw}
        return append_delta(directory, np.asarray(ids), vectors, **args)  # type: ignore[arg-type]

    top = manifest["max_id"]
    assert not append([top])  # not above every saved id: it may replace one
    assert not append([top + 1], encoder="other")
    many = manifest["count"]  # would outgrow the deltas' share of the generation
    assert not append(list(range(top + 1, top + 1 + many)), random_unit_vectors(many, 8))
    assert _manifest(directory) == manifest  # nothing written
    for key in ("max_id", "kind"):  # a manifest of an earlier version
        older = {k: v for k, v in manifest.items() if k != key}
        (directory / "manifest.json").write_text(json.dumps(older))
        assert not append([top + 1])
    # an approximate generation: readers would assign every delta vector to its list again
    (directory / "manifest.json").write_text(json.dumps({**manifest, "kind": "ivf"}))
    assert not append([top + 1])
    (directory / "manifest.json").write_text(json.dumps(manifest))
    assert append([top + 1])
    index = VectorIndex.open(directory, dim=8, encoder="test-text")
    assert index.ntotal == manifest["count"] + 1
    assert index.search(vector, k=1)[1][0, 0] == top + 1
