import numpy as np
import pytest

from scipix_search.exceptions import IndexCorruptError, IndexStoreError
from scipix_search.store import VectorIndex
from tests.factories import random_unit_vectors


def test_vector_index_add_search_returns_database_ids(tmp_path):
    index = VectorIndex.open(tmp_path, dim=8, encoder="e")
    vectors = random_unit_vectors(5, 8)
    index.add(np.array([10, 20, 30, 40, 50]), vectors)
    scores, ids = index.search(vectors[[2]], k=3)
    assert ids[0][0] == 30
    assert scores[0][0] == pytest.approx(1.0, abs=1e-5)


def test_vector_index_readd_replaces_instead_of_duplicating(tmp_path):
    index = VectorIndex.open(tmp_path, dim=4, encoder="e")
    index.add(np.array([1, 2]), random_unit_vectors(2, 4))
    index.add(np.array([2]), random_unit_vectors(1, 4, seed=3))
    assert index.ntotal == 2
    assert sorted(index.ids().tolist()) == [1, 2]


def test_vector_index_save_load_roundtrip(tmp_path):
    index = VectorIndex.open(tmp_path, dim=4, encoder="e")
    index.add(np.array([3, 4, 5]), random_unit_vectors(3, 4))
    index.remove(np.array([4]))
    index.save()
    loaded = VectorIndex.open(tmp_path, dim=4, encoder="e")
    assert sorted(loaded.ids().tolist()) == [3, 5]
    assert not list(tmp_path.glob("*.tmp"))


def test_vector_index_meta_mismatch_raises_corrupt(tmp_path):
    index = VectorIndex.open(tmp_path, dim=4, encoder="e")
    index.add(np.array([1]), random_unit_vectors(1, 4))
    index.save()
    meta = (tmp_path / "meta.json").read_text().replace('"count": 1', '"count": 7')
    (tmp_path / "meta.json").write_text(meta)
    with pytest.raises(IndexCorruptError, match="meta.json says 7"):
        VectorIndex.open(tmp_path, dim=4, encoder="e")


def test_vector_index_other_encoder_raises_corrupt(tmp_path):
    VectorIndex.open(tmp_path, dim=4, encoder="a").save()
    with pytest.raises(IndexCorruptError, match="reindex"):
        VectorIndex.open(tmp_path, dim=4, encoder="b")


def test_vector_index_garbage_file_raises_corrupt(tmp_path):
    VectorIndex.open(tmp_path, dim=4, encoder="a").save()
    (tmp_path / "index.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError):
        VectorIndex.open(tmp_path, dim=4, encoder="a")


def test_vector_index_without_id_map_raises_corrupt(tmp_path):
    import faiss

    VectorIndex.open(tmp_path, dim=4, encoder="a").save()
    faiss.write_index(faiss.IndexFlatIP(4), str(tmp_path / "index.faiss"))
    with pytest.raises(IndexCorruptError, match="not an IndexIDMap2"):
        VectorIndex.open(tmp_path, dim=4, encoder="a")


def test_vector_index_wrong_query_dim_raises(tmp_path):
    index = VectorIndex.open(tmp_path, dim=4, encoder="a")
    with pytest.raises(IndexStoreError):
        index.search(np.zeros((1, 5), np.float32), 3)
