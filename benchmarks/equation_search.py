"""Equation-search latency and first-stage recall at 100k and 1M equations.

    python benchmarks/equation_search.py [--sizes 100000,1000000] [--queries 200]
        [--candidates 100] [--workers 2] [--cache-dir DIR] [--exact-queries 50]

Corpus: the 8,475 real formulas of ../shared/data/formulas plus the 2,000 im2latex dev formulas,
enlarged to N by recombining real formulas: a copy with its single-letter variables consistently
renamed by a random permutation, or two real formulas joined by a relation (``A = B``, ``A , B``).
Every corpus formula is parsed and encoded with the real ``FormulaEncoder`` (same code as
ingestion; ``--workers`` processes; ``--cache-dir`` keeps the vectors, so a second run of a
size skips encoding). Parsed trees are not kept for the corpus (25 kB each: 25 GB at 1M);
the re-rank parses its candidates on demand through an LRU like the searcher's.

Queries: real corpus formulas with their variables renamed (x->u, i->k, ... a fixed map), so the
original is the known answer (a recombined copy of it with other renamed variables counts too:
same structure, and the query's letters match neither). Printed per size:

* exact search (brute force over the vectors) and IVF (nlist = 2 sqrt(N)) at several nprobe:
  latency p50/p99 and recall@10 against exact (by ids, and by distance as ann-benchmarks
  counts it);
* the chosen first stage (flat while its p50 is under 50 ms, else the smallest nprobe with
  recall@10 >= 0.95): query encoding + FAISS top-100, latency and the known item's hit@1/@10;
* the structural re-rank of the 100 candidates, with candidates parsed on demand (cold) and
  already parsed (warm), and hit@1/@10 after it.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from scipix_search.embed import FormulaEncoder
from scipix_search.eval import shared_data_dir
from scipix_search.exceptions import LatexParseError
from scipix_search.math import Formula, parse_formula, rename_variables
from scipix_search.search import rerank

ROOT = Path(__file__).resolve().parents[1]
SHARED = shared_data_dir()  # $SCIPIX_SHARED_DIR/data, by default ../shared/data
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def real_formulas() -> list[str]:
    lines = (SHARED / "formulas" / "im2latex_val_formulas.txt").read_text().splitlines()
    lines += [
        row.split("\t", 1)[1]
        for row in (SHARED / "im2latex" / "dev.tsv").read_text().splitlines()
        if "\t" in row and not row.startswith("image\t")
    ]
    return [line.strip() for line in lines if line.strip()]


def enlarge(base: list[str], n: int, rng: random.Random) -> tuple[list[str], list[int]]:
    """The corpus, and for each entry the real formula it is a renamed copy of (-1 if none)."""
    out, origin = list(base[:n]), list(range(min(n, len(base))))
    while len(out) < n:
        if rng.random() < 0.5:
            perm = list(LETTERS)
            rng.shuffle(perm)
            source = rng.randrange(len(base))
            try:
                out.append(rename_variables(base[source], dict(zip(LETTERS, perm, strict=True))))
            except LatexParseError:
                continue
            origin.append(source)
        else:
            out.append(f"{rng.choice(base)} {rng.choice(['=', ',', '+', '<'])} {rng.choice(base)}")
            origin.append(-1)
    return out, origin


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def _encode_chunk(chunk: list[str]) -> np.ndarray:
    """Parse and encode one chunk (in a worker process); unparseable rows stay zero."""
    return FormulaEncoder().encode_document(chunk, on_error="zero")


def encode_corpus(
    corpus: list[str], *, workers: int, cache: Path | None
) -> tuple[np.ndarray, float]:
    """Vectors of the corpus (parse + encode, the ingestion code), and seconds spent.

    With ``cache`` the vectors are kept in a .npy file, so a second run of the same size
    measures the searches without re-encoding (the corpus is regenerated from the seed and
    checked against the cached row count).
    """
    if cache is not None and cache.is_file():
        vectors = np.load(cache, mmap_mode="r")
        if vectors.shape[0] == len(corpus):
            return np.ascontiguousarray(vectors), 0.0
    started = time.perf_counter()
    chunks = [corpus[i : i + 5000] for i in range(0, len(corpus), 5000)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_encode_chunk, chunks))
    else:
        parts = [_encode_chunk(c) for c in chunks]
    vectors = np.concatenate(parts).astype(np.float32, copy=False)
    seconds = time.perf_counter() - started
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, vectors)
    return vectors, seconds


class ParsedCache:
    """Parsed corpus formulas for the re-rank: an LRU like the searcher's ``_FormulaCache``."""

    def __init__(self, corpus: list[str], capacity: int = 200_000) -> None:
        self.corpus, self.capacity = corpus, capacity
        self.items: OrderedDict[int, Formula | None] = OrderedDict()

    def get(self, j: int) -> Formula | None:
        if j in self.items:
            self.items.move_to_end(j)
            return self.items[j]
        try:
            formula: Formula | None = parse_formula(self.corpus[j])
        except LatexParseError:
            formula = None
        self.items[j] = formula
        if len(self.items) > self.capacity:
            self.items.popitem(last=False)
        return formula


def rerank_ids(q: Formula, scores: np.ndarray, ids: np.ndarray, cache: ParsedCache) -> list[int]:
    """The searcher's re-rank (``search.rerank``) of one query's candidates, best first."""
    candidates = [
        (int(j), cache.get(int(j)), float(s)) for s, j in zip(scores, ids, strict=True) if j >= 0
    ]
    return [j for _, j in rerank(q, candidates)]


def run_size(
    base: list[str],
    n: int,
    n_queries: int,
    candidates: int,
    *,
    workers: int,
    cache_dir: Path | None,
    exact_queries: int,
) -> None:
    import faiss

    rng = random.Random(n)
    encoder = FormulaEncoder()
    corpus, origin = enlarge(base, n, rng)
    cache = cache_dir / f"equation-vectors-{n}-seed{n}.npy" if cache_dir else None
    vectors, build_s = encode_corpus(corpus, workers=workers, cache=cache)

    # exact search: brute force over the same array (no second copy of the vectors)
    known = rng.sample(range(len(base)), n_queries)
    queries, answers = [], []
    for i in known:
        try:
            queries.append(parse_formula(rename_variables(corpus[i])))
            answers.append(i)
        except LatexParseError:
            continue
    m = len(queries)
    qvecs = encoder.encode_query(queries)
    exact_d, exact_ids = faiss.knn(qvecs, vectors, candidates, metric=faiss.METRIC_INNER_PRODUCT)
    flat_lat = []
    for qv in qvecs[:exact_queries]:
        t = time.perf_counter()
        faiss.knn(qv[None, :], vectors, candidates, metric=faiss.METRIC_INNER_PRODUCT)
        flat_lat.append(time.perf_counter() - t)

    nlist = int(2 * np.sqrt(n))
    started = time.perf_counter()
    ivf = faiss.IndexIVFFlat(
        faiss.IndexFlatIP(encoder.dim), encoder.dim, nlist, faiss.METRIC_INNER_PRODUCT
    )
    train = vectors[np.sort(np.asarray(rng.sample(range(n), min(n, 40 * nlist))))]
    ivf.train(train)
    del train
    ivf.add(vectors)
    ivf_build_s = time.perf_counter() - started

    print(
        f"\n## {n:,} equations ({len(base):,} real + {n - min(n, len(base)):,} recombined; "
        + (
            f"parse+encode {build_s:.0f} s with {workers} processes, {n / build_s:.0f}/s; "
            if build_s
            else "vectors from the cache; "
        )
        + f"IVF{nlist} train+add {ivf_build_s:.0f} s), {m} renamed-variable queries"
    )
    # recall@10 by ids, and as ann-benchmarks counts it: a returned item is right when it is
    # at least as close as the exact 10th (ties: renamed copies share most features)
    print(
        "| index | nprobe | p50 ms | p99 ms | recall@10 (ids) | recall@10 (distance) "
        "| recall@100 (ids) |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| flat (exact, brute force) | - | {pct(flat_lat, 50):.2f} | {pct(flat_lat, 99):.2f} | 1.000 | 1.000 | 1.000 |"
    )
    sweep: dict[int, tuple[float, float]] = {}
    for nprobe in (8, 16, 32, 64, 128, 256):
        ivf.nprobe = nprobe
        lat: list[float] = []
        r10: list[float] = []
        r10d: list[float] = []
        r100: list[float] = []
        for qi, qv in enumerate(qvecs):
            t = time.perf_counter()
            dist, ids = ivf.search(qv[None, :], candidates)
            lat.append(time.perf_counter() - t)
            r10.append(len(set(ids[0][:10].tolist()) & set(exact_ids[qi][:10].tolist())) / 10)
            r10d.append(float(np.mean(dist[0][:10] >= exact_d[qi][9] - 1e-5)))
            r100.append(len(set(ids[0].tolist()) & set(exact_ids[qi].tolist())) / candidates)
        sweep[nprobe] = (float(np.mean(r10)), float(np.mean(r10d)))
        print(
            f"| IVF{nlist},Flat | {nprobe} | {pct(lat, 50):.2f} | {pct(lat, 99):.2f} | {np.mean(r10):.3f} | {np.mean(r10d):.3f} | {np.mean(r100):.3f} |"
        )
    # the chosen index: flat while exact search is fast enough, else the smallest nprobe
    # whose recall@10 (distance) is at least 0.95
    use_flat = pct(flat_lat, 50) <= 50.0
    nprobe = next((p for p, (_, r) in sweep.items() if r >= 0.95), 256)
    ivf.nprobe = nprobe
    label = (
        f"FAISS flat top-{candidates}"
        if use_flat
        else f"FAISS IVF{nlist} nprobe={nprobe} top-{candidates}"
    )

    parsed = ParsedCache(corpus)
    first_lat, cold_lat, warm_lat = [], [], []
    hits = {"first1": 0, "first10": 0, "final1": 0, "final10": 0}
    for q, answer in zip(queries, answers, strict=True):
        t = time.perf_counter()
        qv = encoder.encode_query([q])
        if use_flat:
            scores, ids = faiss.knn(qv, vectors, candidates, metric=faiss.METRIC_INNER_PRODUCT)
        else:
            scores, ids = ivf.search(qv, candidates)
        first_lat.append(time.perf_counter() - t)
        t = time.perf_counter()
        final = rerank_ids(q, scores[0], ids[0], parsed)  # candidates parsed on demand (LRU)
        cold_lat.append(time.perf_counter() - t)
        t = time.perf_counter()
        rerank_ids(q, scores[0], ids[0], parsed)  # the same candidates, now parsed
        warm_lat.append(time.perf_counter() - t)
        # A renamed copy of the query's formula is as right as the original: structure is the
        # same and the query's own variable names match neither.
        first = [origin[int(j)] for j in ids[0] if j >= 0]
        final_o = [origin[j] for j in final]
        hits["first1"] += first[:1] == [answer]
        hits["first10"] += answer in first[:10]
        hits["final1"] += final_o[:1] == [answer]
        hits["final10"] += answer in final_o[:10]
    print(f"\nchosen first stage: {label}")
    print("| stage | p50 ms | p99 ms | hit@1 | hit@10 |")
    print("|---|---|---|---|---|")
    print(
        f"| first stage: encode query + {label} | {pct(first_lat, 50):.2f} | "
        f"{pct(first_lat, 99):.2f} | {hits['first1'] / m:.3f} | {hits['first10'] / m:.3f} |"
    )
    print(
        f"| re-rank {candidates}, candidates parsed on demand (cold LRU) | {pct(cold_lat, 50):.2f} | "
        f"{pct(cold_lat, 99):.2f} | {hits['final1'] / m:.3f} | {hits['final10'] / m:.3f} |"
    )
    print(
        f"| re-rank {candidates}, candidates already parsed (warm LRU) | {pct(warm_lat, 50):.2f} | {pct(warm_lat, 99):.2f} | | |"
    )
    ids_recall, dist_recall = (1.0, 1.0) if use_flat else sweep[nprobe]
    print(
        f"FAISS recall@10 of the chosen index vs exact: {ids_recall:.3f} (ids), "
        f"{dist_recall:.3f} (distance)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated corpus sizes")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="processes for parse+encode")
    parser.add_argument("--cache-dir", type=Path, help="keep corpus vectors here between runs")
    parser.add_argument(
        "--exact-queries", type=int, default=50, help="queries timed on exact brute force"
    )
    args = parser.parse_args()
    base = real_formulas()
    print(f"machine: {os.cpu_count()} CPUs; real formulas: {len(base):,}")
    for n in (int(s) for s in args.sizes.split(",")):
        run_size(
            base,
            n,
            args.queries,
            args.candidates,
            workers=args.workers,
            cache_dir=args.cache_dir,
            exact_queries=args.exact_queries,
        )


if __name__ == "__main__":
    main()
