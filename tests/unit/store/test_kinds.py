"""Approximate index kinds: the switch from flat at a size, ids, deletion, save/load, rebuild."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scipix_search.config import Settings
from scipix_search.store import IndexPolicy, IndexSpec, Store, VectorIndex, repo
from tests.factories import parsed_document, random_unit_vectors

APPROXIMATE = ("ivf", "ivf-sq8", "ivf-fp16", "ivf-pq")


def _filled(directory: Path, policy: IndexPolicy, n: int, dim: int = 32) -> np.ndarray:
    """An index of ``n`` random vectors with ids 7, 10, 13, ... added in batches of 500."""
    index = VectorIndex.open(directory, dim=dim, encoder="e", policy=policy)
    vectors = random_unit_vectors(n, dim, seed=5)
    ids = np.arange(n) * 3 + 7
    for start in range(0, n, 500):
        index.add(ids[start : start + 500], vectors[start : start + 500])
    index.save()
    return vectors


@pytest.mark.parametrize("kind", APPROXIMATE)
def test_index_switches_kind_at_its_size_and_keeps_ids_and_deletions(
    tmp_path: Path, kind: str
) -> None:
    policy = IndexPolicy(kind=kind, approximate_from=2000, nprobe=8)  # type: ignore[arg-type]
    vectors = _filled(tmp_path, policy, 3000)
    ids = np.arange(3000) * 3 + 7

    index = VectorIndex.open(tmp_path, dim=32, encoder="e", policy=policy)
    assert index.kind == kind
    assert np.array_equal(np.sort(index.ids()), ids)
    # each vector finds itself: first, or among the 10 a caller re-scores when compressed
    k = 10 if index.approximate_scores else 1
    _, found = index.search(vectors[:300], k=k)
    assert np.mean([ids[i] in found[i] for i in range(300)]) >= 0.95

    assert index.remove(ids[:100]) == 100
    index.add(ids[200:210], vectors[200:210])  # re-adding replaces
    index.save()
    loaded = VectorIndex.open(tmp_path, dim=32, encoder="e", policy=policy)
    assert loaded.kind == kind
    assert loaded.ntotal == 2900
    assert np.array_equal(np.sort(loaded.ids()), ids[100:])
    _, found = loaded.search(vectors[:100], k=5)
    assert not np.isin(found, ids[:100]).any()  # deleted ids are never returned


def test_index_below_its_size_stays_exact(tmp_path: Path) -> None:
    policy = IndexPolicy(kind="auto", approximate_from=5000)
    vectors = _filled(tmp_path, policy, 3000)
    index = VectorIndex.open(tmp_path, dim=32, encoder="e", policy=policy)
    assert index.kind == "flat"
    scores, found = index.search(vectors[:50], k=10)
    exact = vectors @ vectors[:50].T
    assert np.allclose(scores[:, 0], exact.max(axis=0), atol=1e-5)
    assert not index.approximate_scores


def test_index_nprobe_is_the_setting_of_the_reader(tmp_path: Path) -> None:
    _filled(tmp_path, IndexPolicy(kind="ivf", approximate_from=1000, nprobe=4), 2000)
    reader = VectorIndex.open(
        tmp_path, dim=32, encoder="e", policy=IndexPolicy(kind="ivf", nprobe=64)
    )
    assert reader.kind == "ivf"
    # with as many lists scanned as there are, IVF search is exact
    reader.set_nprobe(10_000)
    vectors = random_unit_vectors(20, 32, seed=9)
    scores, _ = reader.search(vectors, k=3)
    flat = VectorIndex.open(tmp_path / "flat", dim=32, encoder="e")
    flat.add(np.arange(2000) * 3 + 7, random_unit_vectors(2000, 32, seed=5))
    assert np.allclose(scores, flat.search(vectors, k=3)[0], atol=1e-5)


def test_store_rebuild_trains_on_a_sample_and_equals_the_database(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", passage_index="ivf-sq8", index_approximate_from=400
    )
    store = Store(settings)
    spec = IndexSpec("passages", "test-text", 16)
    small = IndexSpec("equations", "test-formula", 4)
    document_ids = []
    for seed in range(6):
        vectors = random_unit_vectors(100, 16, seed=seed)
        parsed = parsed_document(name=f"d{seed}.pdf", passages=100, seed=seed)
        document_ids.append(
            store.add_document(
                parsed,
                passage_vectors=vectors,
                equation_extras=[],
                passage_spec=spec,
                equation_spec=small,
            )
        )
    assert store.open_index(spec).kind == "ivf-sq8"  # switched by the add that crossed 400

    report = store.rebuild(spec)
    index = store.open_index(spec)
    with store.session() as session:
        db_ids = repo.vector_ids(session=session, kind="passages")
    assert report.total == 600
    assert index.kind == "ivf-sq8"
    assert index.approximate_scores
    assert np.array_equal(np.sort(index.ids()), np.sort(db_ids))

    assert store.delete_document(int(document_ids[0]))
    index = store.open_index(spec)
    assert index.ntotal == 500
    with store.session() as session:
        assert np.array_equal(
            np.sort(index.ids()), np.sort(repo.vector_ids(session=session, kind="passages"))
        )


def test_policy_of_the_default_settings_is_exact_for_small_indexes(tmp_path: Path) -> None:
    policy = IndexPolicy.from_settings(Settings(data_dir=tmp_path), "equations")
    assert not policy.approximate_at(10_000)
    assert policy.approximate_at(policy.approximate_from)
    flat = IndexPolicy.from_settings(Settings(data_dir=tmp_path, formula_index="flat"), "equations")
    assert not flat.approximate_at(10**9)
