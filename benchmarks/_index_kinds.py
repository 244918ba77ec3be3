"""Vector index kinds measured side by side (equation and passage benchmarks share it).

Each kind is built the way the store builds it (``VectorIndex`` with an ``IndexPolicy``: a
coarse quantiser trained on a random sample, then the vectors added in batches, then one
save), except HNSW, which the store does not offer (it cannot delete; see
``scipix_search/store/_kinds.py``) and is built here directly for comparison. Printed per kind
and search parameter: build seconds, file size, growth of the process RSS while it is built and
held, first-stage latency (top-``k`` search, plus the exact re-scoring of the shortlist for the
compressed kinds), latency with the caller's re-rank, and recall against exact search.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scipix_search.store import IndexPolicy, VectorIndex

STORE_KINDS = ("flat", "ivf", "ivf-sq8", "ivf-fp16", "ivf-pq")
NPROBES = (16, 32, 64, 128, 256)
EF_SEARCH = (32, 64, 128, 256)
_BATCH = 20_000  # rows per add, as a rebuild streams them from the database


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@dataclass
class Built:
    kind: str
    search: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]
    set_param: Callable[[int], None] | None
    params: tuple[int, ...]
    param_name: str
    build_s: float
    disk_bytes: int
    rss_bytes: int
    compressed: bool


def build(kind: str, vectors: np.ndarray, folder: Path, *, nprobe: int = 16) -> Built:
    """Index ``vectors`` (ids = row numbers) as ``kind``, timed, saved under ``folder``."""
    import faiss

    gc.collect()
    before = rss_bytes()
    n, dim = vectors.shape
    ids = np.arange(n, dtype=np.int64)
    started = time.perf_counter()
    if kind == "hnsw":
        hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 40
        index = faiss.IndexIDMap2(hnsw)
        for start in range(0, n, _BATCH):
            index.add_with_ids(vectors[start : start + _BATCH], ids[start : start + _BATCH])
        build_s = time.perf_counter() - started
        path = folder / "hnsw.faiss"
        faiss.write_index(index, str(path))

        def set_ef(ef: int) -> None:
            hnsw.hnsw.efSearch = ef

        def search_hnsw(q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            return index.search(q, k)

        return Built(
            kind,
            search_hnsw,
            set_ef,
            EF_SEARCH,
            "efSearch",
            build_s,
            path.stat().st_size,
            rss_bytes() - before,
            False,
        )
    policy = IndexPolicy(kind=kind, approximate_from=1, nprobe=nprobe)  # type: ignore[arg-type]
    store_index = VectorIndex.open(folder, dim=dim, encoder="bench", policy=policy)
    fill_as_rebuilt(store_index, vectors)
    build_s = time.perf_counter() - started
    store_index.save()
    return _store_built(kind, store_index, folder, build_s, before)


def fill_as_rebuilt(store_index: VectorIndex, vectors: np.ndarray) -> None:
    """Add ``vectors`` (ids = row numbers) as a rebuild does: an approximate kind trained on a
    random sample first, then the rows in batches."""
    n = len(vectors)
    ids = np.arange(n, dtype=np.int64)
    if store_index.policy.approximate_at(n):
        size = store_index.policy.training_size(n)
        rows = np.random.default_rng(0).choice(n, size, replace=False)
        store_index.train(vectors[np.sort(rows)], n)
    for start in range(0, n, _BATCH):
        store_index.add(ids[start : start + _BATCH], vectors[start : start + _BATCH])


def _store_built(
    kind: str, store_index: VectorIndex, folder: Path, build_s: float, before: int
) -> Built:
    flat = kind == "flat"
    return Built(
        kind,
        store_index.search,
        None if flat else store_index.set_nprobe,
        (0,) if flat else NPROBES,
        "nprobe",
        build_s,
        sum(p.stat().st_size for p in folder.glob("index-*.faiss")),
        rss_bytes() - before,
        store_index.approximate_scores,
    )


def load_built(kind: str, folder: Path, *, dim: int, nprobe: int = 16) -> Built:
    """An index :func:`build` saved under ``folder`` before (a cache: ``build_s`` is 0)."""
    gc.collect()
    before = rss_bytes()
    policy = IndexPolicy(kind=kind, approximate_from=1, nprobe=nprobe)  # type: ignore[arg-type]
    store_index = VectorIndex.open(folder, dim=dim, encoder="bench", policy=policy)
    if kind != "flat":
        store_index.set_nprobe(nprobe)
    return _store_built(kind, store_index, folder, 0.0, before)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


@dataclass
class Row:
    kind: str
    param: str
    first_p50: float
    first_p99: float
    total_p50: float
    total_p99: float
    recall10_ids: float
    recall10_dist: float
    recall100: float


def sweep(
    built: Built,
    qvecs: np.ndarray,
    vectors: np.ndarray,
    exact_ids: np.ndarray,
    exact_scores: np.ndarray,
    *,
    k: int,
    after: Callable[[int, np.ndarray, np.ndarray], object] | None = None,
) -> list[Row]:
    """Time and score every search parameter of ``built`` on the queries.

    The first stage is the top-``k`` search, and for a compressed kind the re-scoring of those
    ``k`` with the exact vectors (the searcher has the stored rows of its candidates at hand);
    ``after(query_row, ids, scores)`` is the caller's re-rank, timed on top. Recall@10 by ids,
    and by distance as ann-benchmarks counts it (a returned item is right when it is at least as
    close as the exact 10th: renamed copies tie).
    """
    rows: list[Row] = []
    for param in built.params:
        if built.set_param is not None:
            built.set_param(param)
        first, total, r10, r10d, r100 = [], [], [], [], []
        for qi, qv in enumerate(qvecs):
            t = time.perf_counter()
            scores, ids = built.search(qv[None, :], k)
            scores, ids = scores[0], ids[0]
            if built.compressed:
                found = ids[ids >= 0]
                exact = vectors[found] @ qv
                order = np.argsort(-exact, kind="stable")
                scores, ids = exact[order], found[order]
            first.append(time.perf_counter() - t)
            if after is not None:
                after(qi, ids, scores)
            total.append(time.perf_counter() - t)
            top = ids[:10][ids[:10] >= 0]
            r10.append(len(set(top.tolist()) & set(exact_ids[qi][:10].tolist())) / 10)
            r10d.append(float(np.sum(vectors[top] @ qv >= exact_scores[qi][9] - 1e-5)) / 10)
            r100.append(len(set(ids.tolist()) & set(exact_ids[qi].tolist())) / k)
        rows.append(
            Row(
                built.kind,
                "-" if built.set_param is None else f"{built.param_name}={param}",
                pct(first, 50),
                pct(first, 99),
                pct(total, 50),
                pct(total, 99),
                float(np.mean(r10)),
                float(np.mean(r10d)),
                float(np.mean(r100)),
            )
        )
    return rows


def compare(
    kinds: list[str],
    vectors: np.ndarray,
    qvecs: np.ndarray,
    *,
    k: int,
    after: Callable[[int, np.ndarray, np.ndarray], object] | None = None,
) -> list[Row]:
    """Build each kind in turn (one held at a time), sweep it, print its table rows."""
    import faiss

    exact_scores, exact_ids = faiss.knn(qvecs, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
    print(
        "| index | param | build s | file MiB | RSS +MiB | first stage p50 / p99 ms "
        "| + re-rank p50 / p99 ms | recall@10 (ids) | recall@10 (distance) | recall@100 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows: list[Row] = []
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as folder:
            built = build(kind, vectors, Path(folder))
            for row in sweep(built, qvecs, vectors, exact_ids, exact_scores, k=k, after=after):
                rows.append(row)
                print(
                    f"| {row.kind} | {row.param} | {built.build_s:.1f} | "
                    f"{built.disk_bytes / 2**20:.0f} | {built.rss_bytes / 2**20:.0f} | "
                    f"{row.first_p50:.2f} / {row.first_p99:.2f} | "
                    f"{row.total_p50:.2f} / {row.total_p99:.2f} | {row.recall10_ids:.3f} | "
                    f"{row.recall10_dist:.3f} | {row.recall100:.3f} |",
                    flush=True,
                )
            del built
    return rows
