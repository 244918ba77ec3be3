"""benchmarks/scans.py's paper@1 leaves the scan's born-digital twin out of the ranking: its
first stages must then answer exactly as an index without the twin's equations would."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.scans import _Without
from scipix_search.store import VectorIndex


def _flat(folder: Path, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
    index = VectorIndex.open(folder, dim=vectors.shape[1], encoder="test")
    index.add(ids, vectors)
    return index


def test_a_hidden_document_takes_no_places_in_the_vector_stage(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(400, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1, 401, dtype=np.int64)
    query = vectors[:1] + 0.1
    # the twin: the query's nearest 60, so that a plain top-50 would be all twin
    order = np.argsort(-(vectors @ query[0]))
    hidden = {int(ids[i]) for i in order[:60]}
    keep = np.array([int(i) not in hidden for i in ids])
    whole = _flat(tmp_path / "whole", ids, vectors)
    without = _flat(tmp_path / "without", ids[keep], vectors[keep])
    scores, found = _Without(whole, hidden).search(query, 50)
    want_scores, want = without.search(query, 50)
    assert found.tolist() == want.tolist()
    np.testing.assert_allclose(scores, want_scores, rtol=1e-6)


class _Flat:
    """A stand-in for the tuple index: one query, flat ``(scores, ids)`` best first."""

    def __init__(self, scores: np.ndarray, ids: np.ndarray) -> None:
        self.scores, self.ids = scores, ids
        self.n = len(ids)

    def search(self, query: object, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self.scores[:k], self.ids[:k]


def test_a_hidden_document_takes_no_places_in_the_tuple_stage() -> None:
    scores = np.linspace(1.0, 0.0, 30, dtype=np.float32)
    ids = np.arange(100, 130, dtype=np.int64)
    hidden = {100, 101, 105, 200}
    stage = _Without(_Flat(scores, ids), hidden)
    got_scores, got = stage.search(None, 5)
    assert got.tolist() == [102, 103, 104, 106, 107]
    assert got_scores.tolist() == scores[[2, 3, 4, 6, 7]].tolist()
    assert stage.n == 30  # everything else is the stage's own
