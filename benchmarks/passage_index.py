"""Passage index kinds at scale: recall@10 against exact search, latency and memory, with and
without the exact re-score of the shortlist that the passage searcher does for compressed kinds.

    OMP_NUM_THREADS=1 nice -n 15 python benchmarks/passage_index.py --sizes 1000000 \
        --queries 200 [--kinds flat ivf ivf-sq8 ivf-pq] [--nprobe 128 256] [--cache-dir DIR]

Vectors: every passage of the real papers as ingestion cuts them, embedded with the real text
encoder (``real-passages.npy`` of ``benchmarks/serve_scale.py``, made there when absent). The
passages are split in two halves in ingestion order (the papers follow one another): the corpus
of N passages recombines 2-4 passages of the first half (a passage's vector is the normalised
mean of theirs, as ``benchmarks/ingest.py`` part 2 does), so it lives in the encoder's own
space. Queries: real passages of the first half (dev: each is part of many corpus passages) and
of the second half (held-out: papers the corpus never saw).

Kinds are trained as the store trains them (``store/_kinds.py``: 4 sqrt(N) lists, 39 training
vectors a list, 10 k-means iterations; ``--nprobe`` lists scanned); IVF-SQ8 and IVF-PQ share the IVF-Flat coarse
quantiser and its list assignments. "+ re-score": the index's top ``--shortlist`` (the passage
searcher's ``candidates``, 100) re-scored by the exact inner product with the float32 vectors,
as the searcher does with the vectors of the database rows (the row fetch, one query of 100
ids, is not in these figures). Recall@10 by ids, and by distance (a hit counts when its exact
score is at least the 10th exact score: recombined passages can tie). Latency: one query at a
time, wall and CPU (``time.process_time``) p50/p99, with the load average.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def corpus(real: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` unit vectors, each the normalised mean of 2-4 rows of ``real``."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        size = stop - start
        parts = rng.integers(2, 5, size=size)
        picks = rng.integers(0, len(real), size=(size, 4))
        mask = (np.arange(4)[None, :] < parts[:, None]).astype(np.float32)
        block = (real[picks] * mask[:, :, None]).sum(axis=1)
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def index_bytes(index: object) -> int:
    """Codes and ids of an IVF index's lists (what a serving process holds), or a flat's."""
    import faiss

    if isinstance(index, faiss.IndexFlat):
        return int(index.ntotal) * index.d * 4
    ivf = faiss.extract_index_ivf(index)
    return int(ivf.ntotal) * (ivf.code_size + 8)


def main() -> None:
    import faiss
    from faiss.contrib.ivf_tools import add_preassigned

    from scipix_search.store import IndexPolicy

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--shortlist", type=int, default=100)
    parser.add_argument("--nprobe", type=int, nargs="+", default=[128])
    parser.add_argument("--kinds", nargs="+", default=["flat", "ivf", "ivf-sq8", "ivf-pq"])
    parser.add_argument("--cache-dir", type=Path, default=Path("/work/cache1m"))
    args = parser.parse_args()

    real = np.load(args.cache_dir / "real-passages.npy").astype(np.float32)
    half = len(real) // 2
    rng = np.random.default_rng(0)
    query_sets = {
        "dev": real[rng.choice(half, args.queries, replace=False)],
        "held-out": real[half + rng.choice(len(real) - half, args.queries, replace=False)],
    }
    print(f"# passage index kinds ({len(real):,} real passage vectors, dim {real.shape[1]})")
    for n in args.sizes:
        vectors = corpus(real[:half], n, seed=n)
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors)
        truth = {name: exact.search(q, 10) for name, q in query_sets.items()}
        policy = IndexPolicy(kind="ivf")
        sample = vectors[np.sort(rng.choice(n, policy.training_size(n), replace=False))]
        started = time.perf_counter()
        indexes: dict[str, object] = {"flat": exact} if "flat" in args.kinds else {}
        build: dict[str, float] = {}
        dim, lists = vectors.shape[1], policy.lists(n)
        base = faiss.index_factory(dim, f"IVF{lists},Flat", faiss.METRIC_INNER_PRODUCT)
        faiss.extract_index_ivf(base).cp.niter = 10  # as store/_kinds.py trains
        base.train(sample)
        quantizer = faiss.extract_index_ivf(base).quantizer
        assign = np.concatenate(
            [quantizer.search(vectors[s : s + 50_000], 1)[1] for s in range(0, n, 50_000)]
        ).ravel()
        train_s = time.perf_counter() - started
        # held here: add_preassigned keeps only a raw pointer to the ids
        all_ids = np.arange(n, dtype=np.int64)
        for kind in [k for k in args.kinds if k != "flat"]:
            started = time.perf_counter()
            if kind == "ivf":
                index = base
            else:
                codes = {"ivf-sq8": "SQ8", "ivf-pq": f"PQ{dim // 16}"}[kind]
                index = faiss.index_factory(dim, f"IVF{lists},{codes}", faiss.METRIC_INNER_PRODUCT)
                ivf = faiss.extract_index_ivf(index)
                ivf.quantizer = faiss.clone_index(quantizer)  # the same lists as IVF-Flat
                ivf.own_fields = True
                index.train(sample)  # the codes only: the quantiser is trained
            add_preassigned(index, vectors, assign, ids=all_ids)
            indexes[kind] = index
            build[kind] = time.perf_counter() - started
        print(
            f"\n## {n:,} passages: coarse quantiser {lists} lists, trained on "
            f"{len(sample):,} in {train_s:.0f} s (with the assignment of all vectors); "
            f"load {os.getloadavg()[0]:.1f}"
        )
        print(
            "| index | nprobe | set | recall@10 ids | recall@10 distance | p50 ms wall | p99 ms wall "
            "| p50 ms CPU | p99 ms CPU | MiB | build s |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for kind, index in indexes.items():
            flat = kind == "flat"
            runs = [(n_, r) for n_ in ([0] if flat else args.nprobe) for r in (False, not flat)]
            for nprobe, rescore in dict.fromkeys(runs):
                if not flat:
                    faiss.extract_index_ivf(index).nprobe = nprobe
                for name, queries in query_sets.items():
                    true_scores, true_ids = truth[name]
                    wall, cpu, by_id, by_distance = [], [], [], []
                    depth = args.shortlist if rescore else 10
                    for qi, q in enumerate(queries):
                        t, c = time.perf_counter(), time.process_time()
                        _, ids = index.search(q[None, :], depth)  # type: ignore[attr-defined]
                        found = ids[0][ids[0] >= 0]
                        if rescore:
                            exact_scores = vectors[found] @ q
                            found = found[np.argsort(-exact_scores, kind="stable")[:10]]
                        wall.append(time.perf_counter() - t)
                        cpu.append(time.process_time() - c)
                        found = found[:10]
                        by_id.append(len(set(found) & set(true_ids[qi])) / 10)
                        scores = vectors[found] @ q
                        by_distance.append(float(np.sum(scores >= true_scores[qi][9] - 1e-6)) / 10)
                    label = f"{kind} + re-score" if rescore else kind
                    print(
                        f"| {label} | {nprobe or '-'} | {name} | {np.mean(by_id):.3f} | {np.mean(by_distance):.3f} "
                        f"| {pct(wall, 50):.2f} | {pct(wall, 99):.2f} | {pct(cpu, 50):.2f} "
                        f"| {pct(cpu, 99):.2f} | {index_bytes(index) / 2**20:.0f} "
                        f"| {build.get(kind, 0.0):.0f} |"
                    )
        print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
