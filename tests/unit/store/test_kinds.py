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


def test_auto_policy_compresses_large_indexes() -> None:
    settings = Settings(index_compress_from=250_000)
    equations = IndexPolicy.from_settings(settings, "equations")
    assert equations.target_at(100_000) == "ivf"
    assert equations.target_at(250_000) == "ivf-pq"
    # passages: 8-bit codes (24-byte PQ loses neighbours that a re-score cannot bring back)
    passages = IndexPolicy.from_settings(settings, "passages")
    assert passages.target_at(100_000) == "ivf"
    assert passages.target_at(250_000) == "ivf-sq8"


def test_passages_scan_their_own_number_of_lists() -> None:
    settings = Settings(index_nprobe=32, passage_nprobe=300)
    assert IndexPolicy.from_settings(settings, "equations").nprobe == 32
    assert IndexPolicy.from_settings(settings, "passages").nprobe == 300
    chosen = IndexPolicy.from_settings(Settings(formula_index="ivf-sq8"), "equations")
    assert chosen.target_at(10**7) == "ivf-sq8"  # a kind set by hand is kept at every size


def _add_equations(store: Store, seed: int, spec: IndexSpec, n: int = 100) -> int | None:
    from scipix_search.ingest import ParsedEquation

    parsed = parsed_document(f"eq{seed}.pdf", passages=1, seed=seed)
    parsed.equations = [
        ParsedEquation(f"x_{{{seed}}}^{{{i}}}", 1, None, True, "tex", i) for i in range(n)
    ]
    vectors = random_unit_vectors(n, spec.dim, seed=seed)
    return store.add_document(
        parsed,
        passage_vectors=random_unit_vectors(1, 8, seed=seed),
        equation_extras=[
            repo.EquationExtras(e.latex, None, v)
            for e, v in zip(parsed.equations, vectors, strict=True)
        ],
        passage_spec=IndexSpec("passages", "test-text", 8),
        equation_spec=spec,
    )


def _add_passages(store: Store, seed: int, spec: IndexSpec, n: int = 100) -> int | None:
    return store.add_document(
        parsed_document(f"p{seed}.pdf", passages=n, seed=seed),
        passage_vectors=random_unit_vectors(n, spec.dim, seed=seed),
        equation_extras=[],
        passage_spec=spec,
        equation_spec=IndexSpec("equations", "test-formula", 8),
    )


@pytest.mark.parametrize(("name", "compressed"), [("equations", "ivf-pq"), ("passages", "ivf-sq8")])
def test_existing_ivf_index_opens_as_it_is_and_reindex_compresses_it(
    tmp_path: Path, name: str, compressed: str
) -> None:
    spec = IndexSpec(name, f"test-{name}", 32)
    add, embeddings = {
        "equations": (_add_equations, repo.equation_embeddings),
        "passages": (_add_passages, repo.passage_embeddings),
    }[name]
    before = Settings(data_dir=tmp_path / "data", index_approximate_from=400)
    store = Store(before)
    for seed in range(10):
        add(store, seed, spec)
    assert store.open_index(spec).kind == "ivf"  # as a store of the previous version made it

    store = Store(before.model_copy(update={"index_compress_from": 800}))
    index = store.open_index(spec)
    assert index.kind == "ivf"  # opened as it is on disk
    assert not index.approximate_scores
    store.rebuild(spec)  # what `scipix-search reindex` does
    index = store.open_index(spec)
    assert index.kind == compressed
    assert index.approximate_scores  # the searcher re-scores its shortlist
    with store.session() as session:
        db_ids = repo.vector_ids(session=session, kind=name)
        stored = embeddings(session=session, ids=[int(i) for i in db_ids[:200]])
    assert np.array_equal(np.sort(index.ids()), np.sort(db_ids))
    # each stored vector finds itself among the 10 a caller re-scores
    queries = np.stack([np.frombuffer(stored[int(i)], np.float32) for i in db_ids[:200]])
    _, found = index.search(queries, k=10)
    assert np.mean([db_ids[i] in found[i] for i in range(200)]) >= 0.95
