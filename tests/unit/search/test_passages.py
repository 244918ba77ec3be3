"""Passage search over a compressed index: the shortlist re-scored from the stored vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scipix_search.config import Settings
from scipix_search.search import PassageSearcher
from scipix_search.store import IndexSpec, Store, repo
from tests.factories import parsed_document

DIM = 48


class _Encoder:
    """Stands for the text encoder: a query's vector is looked up by its text."""

    name = "test-text"
    dim = DIM

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def encode_query(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def _text_like_vectors(n: int, seed: int) -> np.ndarray:
    """Unit vectors close together around a common direction, as sentence embeddings are
    (cosines of unrelated passages ~0.6-0.8): where an 8-bit code's error reorders neighbours."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((20, DIM))
    v = 3.0 + 0.6 * topics[rng.integers(0, 20, n)] + 0.4 * rng.standard_normal((n, DIM))
    v = v.astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _store(tmp_path: Path, kind: str, vectors: np.ndarray) -> Store:
    settings = Settings(
        data_dir=tmp_path / kind,
        passage_index=kind,  # type: ignore[arg-type]
        index_approximate_from=1000,
        passage_nprobe=10_000,  # every list: what is left is the codes' error alone
    )
    store = Store(settings)
    spec = IndexSpec("passages", "test-text", DIM)
    per_document = 200
    for doc in range(len(vectors) // per_document):
        rows = vectors[doc * per_document : (doc + 1) * per_document]
        store.add_document(
            parsed_document(f"p{doc}.pdf", passages=per_document, seed=doc),
            passage_vectors=rows,
            equation_extras=[],
            passage_spec=spec,
            equation_spec=IndexSpec("equations", "test-formula", 8),
        )
    return store


def test_compressed_passage_index_ranks_as_the_flat_one_once_re_scored(tmp_path: Path) -> None:
    vectors = _text_like_vectors(2000, seed=1)
    queries = _text_like_vectors(40, seed=2)
    encoder = _Encoder({f"q{i}": q for i, q in enumerate(queries)})
    flat = PassageSearcher(_store(tmp_path, "flat", vectors), encoder)  # type: ignore[arg-type]
    sq8 = PassageSearcher(_store(tmp_path, "ivf-sq8", vectors), encoder)  # type: ignore[arg-type]
    assert flat._index.kind == "flat" and sq8._index.kind == "ivf-sq8"
    assert sq8._index.approximate_scores

    raw_differs = 0
    for i, q in enumerate(queries):
        exact = flat.rank(f"q{i}", k=10, mode="dense")
        rescored = sq8.rank(f"q{i}", k=10, mode="dense")
        assert [r.id for r in rescored.items] == [r.id for r in exact.items]
        # the hits' cosines are the exact ones too (the probability is read from them)
        for a, b in zip(exact.hits(), rescored.hits(), strict=True):
            assert abs((a.cosine or 0) - (b.cosine or 0)) < 1e-5
        _, raw = sq8._index.search(q[None, :], 10)
        raw_differs += [int(x) for x in raw[0]] != [r.id for r in exact.items]
    # the 8-bit codes alone do reorder such vectors: without the re-score this test would fail
    assert raw_differs >= len(queries) // 4


def test_re_score_skips_passages_deleted_since_the_index_was_written(tmp_path: Path) -> None:
    vectors = _text_like_vectors(2000, seed=3)
    encoder = _Encoder({"q": vectors[5]})
    store = _store(tmp_path, "ivf-sq8", vectors)
    searcher = PassageSearcher(store, encoder)  # type: ignore[arg-type]
    first = searcher.rank("q", k=10, mode="dense").items[0].id
    with store.session() as session:  # the rows go, the index entry stays (a delete in flight)
        repo.delete_document(session=session, document_id=1)
    ranked = [r.id for r in searcher.rank("q", k=10, mode="dense").items]
    assert first not in ranked and len(ranked) == 10


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.slow
def test_real_passages_rank_as_with_the_flat_index_once_re_scored(
    tmp_path: Path, shared_dir: Path, text_encoder: object
) -> None:
    """The real encoder on the passages of two real papers; queries: a sentence of others."""
    from scipix_search.eval import paper_folders
    from scipix_search.ingest import parse_pdf, sha256_bytes

    papers = paper_folders(shared_dir / "papers")
    texts: list[str] = []
    for paper in papers[:2]:
        data = paper.pdf.read_bytes()
        texts += [
            p.text
            for p in parse_pdf(data, paper.pdf.name, sha256_bytes(data), max_pages=100).passages
        ]
    queries = [t.split(". ")[0][:200] for t in texts[1::7]][:20]
    vectors = text_encoder.encode_document(texts)  # type: ignore[attr-defined]
    n = len(texts) // 20 * 20
    assert n >= 200, "two real papers give at least 200 passages"

    searchers = {}
    for kind in ("flat", "ivf-sq8"):
        settings = Settings(
            data_dir=tmp_path / kind,
            passage_index=kind,  # type: ignore[arg-type]
            index_approximate_from=100,
            passage_nprobe=10_000,
        )
        store = Store(settings)
        spec = IndexSpec("passages", text_encoder.name, text_encoder.dim)  # type: ignore[attr-defined]
        for doc in range(n // 20):
            store.add_document(
                parsed_document(f"p{doc}.pdf", passages=20, seed=doc),
                passage_vectors=vectors[doc * 20 : (doc + 1) * 20],
                equation_extras=[],
                passage_spec=spec,
                equation_spec=IndexSpec("equations", "test-formula", 8),
            )
        searchers[kind] = PassageSearcher(store, text_encoder)  # type: ignore[arg-type]
    assert searchers["ivf-sq8"]._index.kind == "ivf-sq8"
    for query in queries:
        exact = [r.id for r in searchers["flat"].rank(query, k=10, mode="dense").items]
        assert [r.id for r in searchers["ivf-sq8"].rank(query, k=10, mode="dense").items] == exact


def test_hybrid_fuses_the_keyword_ranking_found_beside_the_dense_one(tmp_path: Path) -> None:
    """The keyword retriever runs in a thread of its own while the query encodes; what the
    hybrid query ranks is still the fusion of the two rankings each mode gives alone."""
    import threading

    from scipix_search.search._hits import reciprocal_rank_fusion

    vectors = _text_like_vectors(1000, seed=4)
    query = "Variant 3-17"  # words of some passages (tests/factories LOREM + "Variant d-i")
    encoder = _Encoder({query: vectors[611]})
    searcher = PassageSearcher(_store(tmp_path, "flat", vectors), encoder)  # type: ignore[arg-type]
    threads: list[str] = []
    keyword = searcher._keyword

    def spy(text: str) -> list[tuple[int, float]]:
        threads.append(threading.current_thread().name)
        return keyword(text)

    searcher._keyword = spy  # type: ignore[method-assign]
    dense = [r.id for r in searcher.rank(query, k=100, mode="dense").items]
    words = [r.id for r in searcher.rank(query, k=100, mode="keyword").items]
    hybrid = searcher.rank(query, k=10, mode="hybrid").items
    assert dense and words and set(words) != set(dense)
    fused = reciprocal_rank_fusion([dense, words])[:10]
    assert [r.id for r in hybrid] == [pid for pid, _ in fused]
    assert threads and all(name != threading.current_thread().name for name in threads)
