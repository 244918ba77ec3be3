import errno
import json
from pathlib import Path

import numpy as np
import pytest

from scipix_search.exceptions import (
    IndexCorruptError,
    IndexStoreError,
    ReadOnlyStoreError,
    StorageFullError,
)
from scipix_search.store import IndexMeta, VectorIndex
from scipix_search.store._layout import clean_folder, storage_error
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
    assert not list(tmp_path.glob(".*.tmp"))


def _saved(directory: Path, ids: list[int], *, dim: int = 4, encoder: str = "e") -> VectorIndex:
    index = VectorIndex.open(directory, dim=dim, encoder=encoder)
    index.add(np.array(ids), random_unit_vectors(len(ids), dim))
    index.save()
    return index


def _manifest(directory: Path) -> dict:
    return json.loads((directory / "manifest.json").read_text())


def _write_legacy(directory: Path, index, count: int, *, dim: int = 4) -> None:
    """The layout of earlier versions: index.faiss and meta.json side by side."""
    import faiss

    directory.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(directory / "index.faiss"))
    meta = {"dim": dim, "metric": "ip", "encoder": "e", "count": count, "version": 1}
    (directory / "meta.json").write_text(json.dumps(meta))


def _id_map(ids: list[int], dim: int = 4):
    import faiss

    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    index.add_with_ids(random_unit_vectors(len(ids), dim), np.array(ids, dtype=np.int64))
    return index


def test_vector_index_save_commits_one_generation_named_by_the_manifest(tmp_path):
    _saved(tmp_path, [1, 2])
    first = _manifest(tmp_path)
    index = VectorIndex.open(tmp_path, dim=4, encoder="e")
    index.add(np.array([3]), random_unit_vectors(1, 4, seed=9))
    index.save()
    second = _manifest(tmp_path)
    assert second["generation"] == first["generation"] + 1
    assert (second["count"], second["encoder"], second["dim"]) == (3, "e", 4)
    # the old generation is gone once the new one is committed; no temp file is left
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".lock")) == [
        second["file"],
        "manifest.json",
    ]
    assert VectorIndex.read_meta(tmp_path) == IndexMeta(4, "ip", "e", 3, 2)


def test_vector_index_meta_mismatch_raises_corrupt(tmp_path):
    _saved(tmp_path, [1])
    manifest = _manifest(tmp_path)
    manifest["count"] = 7
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match="metadata says 7"):
        VectorIndex.open(tmp_path, dim=4, encoder="e")


def test_vector_index_other_encoder_raises_corrupt(tmp_path):
    VectorIndex.open(tmp_path, dim=4, encoder="a").save()
    with pytest.raises(IndexCorruptError, match="reindex"):
        VectorIndex.open(tmp_path, dim=4, encoder="b")


def test_vector_index_garbage_file_raises_corrupt(tmp_path):
    _saved(tmp_path, [1, 2])
    (tmp_path / _manifest(tmp_path)["file"]).write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError, match="has 7 bytes"):
        VectorIndex.open(tmp_path, dim=4, encoder="e")


def test_vector_index_flipped_byte_fails_the_checksum(tmp_path):
    _saved(tmp_path, [1, 2])
    path = tmp_path / _manifest(tmp_path)["file"]
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF  # inside the stored vectors: FAISS alone would read it without a word
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum"):
        VectorIndex.open(tmp_path, dim=4, encoder="e")


def test_vector_index_damaged_manifest_raises_corrupt(tmp_path):
    _saved(tmp_path, [1])
    (tmp_path / "manifest.json").write_text('{"generation": 1, "fi')
    with pytest.raises(IndexCorruptError, match="manifest is damaged"):
        VectorIndex.open(tmp_path, dim=4, encoder="e")


def test_vector_index_manifest_naming_a_missing_file_raises_corrupt(tmp_path):
    _saved(tmp_path, [1])
    (tmp_path / _manifest(tmp_path)["file"]).unlink()
    with pytest.raises(IndexCorruptError, match="missing"):
        VectorIndex.open(tmp_path, dim=4, encoder="e")


def test_vector_index_reads_the_layout_of_earlier_versions_and_migrates_it(tmp_path):
    _write_legacy(tmp_path, _id_map([5, 6, 7]), count=3)
    index = VectorIndex.open(tmp_path, dim=4, encoder="e")
    assert index.legacy
    assert sorted(index.ids().tolist()) == [5, 6, 7]
    assert VectorIndex.read_meta(tmp_path) == IndexMeta(4, "ip", "e", 3, 1)
    index.save()
    assert not (tmp_path / "index.faiss").exists() and not (tmp_path / "meta.json").exists()
    reopened = VectorIndex.open(tmp_path, dim=4, encoder="e")
    assert not reopened.legacy
    assert sorted(reopened.ids().tolist()) == [5, 6, 7]


def test_vector_index_old_layout_killed_between_renames_raises_corrupt(tmp_path):
    # what a kill between the two renames of earlier versions left: 169 vectors, meta says 100
    _write_legacy(tmp_path, _id_map(list(range(169))), count=100)
    with pytest.raises(IndexCorruptError, match="holds 169 vectors"):
        VectorIndex.open(tmp_path, dim=4, encoder="e")


def test_vector_index_without_id_map_raises_corrupt(tmp_path):
    import faiss

    _write_legacy(tmp_path, faiss.IndexFlatIP(4), count=0)
    with pytest.raises(IndexCorruptError, match="not an IndexIDMap2"):
        VectorIndex.open(tmp_path, dim=4, encoder="e")


def test_clean_folder_deletes_temp_files_and_other_generations_only(tmp_path):
    _saved(tmp_path, [1])
    current = _manifest(tmp_path)["file"]
    for name in (".index-000009.faiss.x1.tmp", ".manifest.json.x2.tmp", "index-000000.faiss"):
        (tmp_path / name).write_bytes(b"left by a killed save")
    (tmp_path / "notes.txt").write_text("not ours")
    removed = clean_folder(tmp_path)
    assert sorted(removed) == [
        ".index-000009.faiss.x1.tmp",
        ".manifest.json.x2.tmp",
        "index-000000.faiss",
    ]
    assert (tmp_path / current).exists() and (tmp_path / "notes.txt").exists()
    assert sorted(VectorIndex.open(tmp_path, dim=4, encoder="e").ids().tolist()) == [1]


def test_storage_error_names_a_full_disk_and_a_read_only_folder():
    full = storage_error(OSError(errno.ENOSPC, "No space left on device"), "the passages index")
    assert isinstance(full, StorageFullError) and "no space left" in str(full)
    read_only = storage_error(OSError(errno.EROFS, "Read-only file system"), "the index")
    assert isinstance(read_only, ReadOnlyStoreError) and "read-only" in str(read_only)


def test_vector_index_wrong_query_dim_raises(tmp_path):
    index = VectorIndex.open(tmp_path, dim=4, encoder="a")
    with pytest.raises(IndexStoreError):
        index.search(np.zeros((1, 5), np.float32), 3)
