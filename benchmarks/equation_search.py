"""Equation-search latency and first-stage recall at 100k and 1M equations, per index kind.

    python benchmarks/equation_search.py [--sizes 100000,1000000] [--queries 200]
        [--candidates 100] [--workers 2] [--cache-dir DIR]
        [--kinds flat,ivf,ivf-sq8,ivf-fp16,ivf-pq,hnsw] [--first-stage KIND]

Corpus: the 8,475 real formulas of ../shared/data/formulas plus the 2,000 im2latex dev formulas,
enlarged to N by recombining real formulas: a copy with its single-letter variables consistently
renamed by a random permutation, or two real formulas joined by a relation (``A = B``, ``A , B``).
Every corpus formula is parsed and encoded with the real ``FormulaEncoder`` (same code as
ingestion; ``--workers`` processes; ``--cache-dir`` keeps the vectors, so a second run of a
size skips encoding). Parsed trees are not kept for the corpus (25 kB each: 25 GB at 1M);
the per-kind re-rank parses its candidates on demand through an LRU like the searcher's
before sketches; the searcher's path scores them from sketches.

Queries: real corpus formulas with their variables renamed (x->u, i->k, ... a fixed map), so the
original is the known answer (a recombined copy of it with other renamed variables counts too:
same structure, and the query's letters match neither). Printed per size:

* per index kind (``benchmarks/_index_kinds.py``; built as the store builds it: coarse
  quantiser trained on a random sample, rows added in batches, one save) and search parameter
  (nprobe, HNSW's efSearch): build seconds, file size, RSS growth, latency p50/p99 of the first
  stage (top-100, and the exact re-scoring of the shortlist for compressed kinds) and with the
  structural re-rank of the 100 (candidates already parsed), recall@10 against exact search
  (by ids, and by distance as ann-benchmarks counts it) and recall@100;
* the store's default at this size (``IndexPolicy`` of the default settings, or
  ``--first-stage KIND``): query encoding + FAISS top-100, latency and the known item's
  hit@1/@10;
* the structural re-rank of the 100 candidates, with candidates parsed on demand (cold) and
  already parsed (warm), and hit@1/@10 after it (the searcher before tuple sketches);
* the searcher's path: the tuple index (``stored_tuple_index``, built by the store's code and
  kept in ``--cache-dir``) adds its top-100, and all candidates are scored from their re-rank
  sketches (``TupleIndex.structures``: records read from the sketch file at every query, no
  parse, no cache), with its memory per formula and the whole query's p50/p99.

``--kinds ''`` skips the per-kind table (building IVF-PQ at 1M takes ~12 min here).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._index_kinds import (  # noqa: E402
    STORE_KINDS,
    build,
    compare,
    load_built,
    rss_bytes,
)
from scipix_search.config import Settings  # noqa: E402
from scipix_search.embed import FormulaEncoder  # noqa: E402
from scipix_search.eval import shared_data_dir  # noqa: E402
from scipix_search.exceptions import LatexParseError  # noqa: E402
from scipix_search.math import Formula, parse_formula, rename_variables  # noqa: E402
from scipix_search.search import (  # noqa: E402
    COMMON_SHARE,
    TupleIndex,
    rerank,
    rerank_structures,
    stored_tuple_index,
    tuple_keys,
)
from scipix_search.store import IndexPolicy  # noqa: E402

SHARED = shared_data_dir()  # $SCIPIX_SHARED_DIR/data, by default ../shared/data
LETTERS = "abcdefghijklmnopqrstuvwxyz"
STAGES = ("parse", "encode", "faiss", "tuples", "join", "sketch", "whole", "before")
"""The searcher-path stages timed per query; the first six make the whole query."""


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


def corpus_tuples(corpus: list[str], cache: Path) -> tuple[TupleIndex, float]:
    """The searcher's tuple index with its re-rank sketches over the corpus (ids = rows), built
    by the store's own code (``stored_tuple_index``: one streamed pass, every row parsed
    once) and kept at ``cache``: a second run loads it (ids and LaTeX checksums equal)."""
    started = time.perf_counter()
    index = stored_tuple_index(cache, enumerate(corpus))
    return index, time.perf_counter() - started


def exhaustive_tuple_search(
    index: TupleIndex, query: Formula, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """``TupleIndex.search`` as it was before MaxScore: every posting of the query's
    informative tuples summed into a score per row, then the top ``k`` of all rows."""
    keys = tuple_keys(query)
    df = index.df[keys]
    informative = df <= max(1, COMMON_SHARE * index.n)
    total = float(np.log1p(index.n / np.maximum(df[informative], 1)).sum())
    keep = informative & (df > 0)
    keys, df = keys[keep], df[keep]
    if not len(keys) or total <= 0:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    idf = np.log1p(index.n / df)
    starts = np.concatenate(([0], np.cumsum(index.df))) if index.n else np.zeros(1, np.int64)
    rows = np.concatenate([index.postings[starts[b] : starts[b + 1]] for b in keys])
    scores = np.bincount(rows, weights=np.repeat(idf, df), minlength=index.n) / total
    k = min(k, index.n)
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    top = top[scores[top] > 0]
    return scores[top].astype(np.float32), index.ids[top]


def same_top(
    scores_a: np.ndarray, ids_a: np.ndarray, scores_b: np.ndarray, ids_b: np.ndarray
) -> bool:
    """Two top-k lists agree: the same scores, and the same ids above the last score (ids
    tied at the cut are any of the tied)."""
    if len(scores_a) != len(scores_b) or not np.allclose(scores_a, scores_b, atol=1e-6):
        return False
    if not len(scores_a):
        return True
    cut = float(scores_a[-1]) + 1e-6
    return set(ids_a[scores_a > cut].tolist()) == set(ids_b[scores_b > cut].tolist())


def parse_uncached(_: int, latex: str) -> Formula | None:
    """The searcher's fallback for a candidate without a sketch, with no LRU (cold)."""
    try:
        return parse_formula(latex)
    except LatexParseError:
        return None


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
    kinds: list[str],
    first_stage: str | None = None,
) -> None:
    import faiss

    rng = random.Random(n)
    encoder = FormulaEncoder()
    corpus, origin = enlarge(base, n, rng)
    cache = cache_dir / f"equation-vectors-{n}-seed{n}.npy" if cache_dir else None
    vectors, build_s = encode_corpus(corpus, workers=workers, cache=cache)

    known = rng.sample(range(len(base)), n_queries)
    queries, answers, query_latex = [], [], []
    for i in known:
        try:
            latex = rename_variables(corpus[i])
            queries.append(parse_formula(latex))
            query_latex.append(latex)
            answers.append(i)
        except LatexParseError:
            continue
    m = len(queries)
    qvecs = encoder.encode_query(queries)
    parsed = ParsedCache(corpus)
    for q, qv in zip(queries, qvecs, strict=True):  # warm the LRU: every kind re-ranks parsed
        if not kinds:
            break
        scores, ids = faiss.knn(qv[None, :], vectors, candidates, metric=faiss.METRIC_INNER_PRODUCT)
        rerank_ids(q, scores[0], ids[0], parsed)

    def rerank_after(qi: int, ids: np.ndarray, scores: np.ndarray) -> None:
        rerank_ids(queries[qi], scores, ids, parsed)

    print(
        f"\n## {n:,} equations ({len(base):,} real + {n - min(n, len(base)):,} recombined; "
        + (
            f"parse+encode {build_s:.0f} s with {workers} processes, {n / build_s:.0f}/s; "
            if build_s
            else "vectors from the cache; "
        )
        + f"{m} renamed-variable queries; top-{candidates}; load {os.getloadavg()[0]:.1f})"
    )
    if kinds:
        compare(kinds, vectors, qvecs, k=candidates, after=rerank_after)
    print(
        f"process RSS now (vectors + parsed LRU + last index freed): {rss_bytes() / 2**20:.0f} MiB"
    )

    # the store's default: flat below the size, its kind and nprobe from there
    policy = IndexPolicy.from_settings(Settings(), "equations")
    kind = first_stage or (policy.target_at(n) if policy.approximate_at(n) else "flat")
    folder = tempfile.TemporaryDirectory(prefix="bench-default-")
    kept = cache_dir / f"index-{kind}-{n}-seed{n}" if cache_dir else None
    if kept is not None and any(kept.glob("index-*.faiss")):
        chosen = load_built(kind, kept, dim=vectors.shape[1], nprobe=policy.nprobe)
    else:
        if kept is not None:
            kept.mkdir(parents=True, exist_ok=True)
        chosen = build(kind, vectors, kept or Path(folder.name), nprobe=policy.nprobe)
    exact_scores, exact_ids = faiss.knn(qvecs, vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)
    label = f"{kind} (nprobe {policy.nprobe})" if kind != "flat" else "flat"
    label = f"FAISS {label} top-{candidates}"
    print(
        f"\nfirst stage {kind}: "
        + (f"built in {chosen.build_s:.0f} s, " if chosen.build_s else "loaded from the cache, ")
        + f"file {chosen.disk_bytes / 2**20:.0f} MiB"
    )
    tuples, tuples_s = (
        corpus_tuples(corpus, cache_dir / f"tuples-{n}-seed{n}.npz")
        if cache_dir
        else corpus_tuples(corpus, Path(folder.name) / "tuples.npz")
    )
    sketches = tuples.sketches
    assert sketches is not None
    print(
        f"\ntuple index + re-rank sketches: {tuples.n:,} formulas, "
        + (f"built in {tuples_s:.0f} s; " if tuples_s > 5 else "loaded; ")
        + f"in memory {tuples.nbytes / 2**20:.0f} MiB ({tuples.nbytes / n:.0f} B a formula, of "
        f"which sketch offsets/sizes + vocabulary {sketches.nbytes / n:.1f} B), sketch records on "
        f"disk {sketches.path.stat().st_size / 2**20:.0f} MiB "
        f"({sketches.path.stat().st_size / n:.0f} B a formula, read with pread, not resident); "
        f"vocabulary {len(sketches.vocab.labels):,} labels, {len(sketches.vocab.paths)} paths"
    )
    parsed = ParsedCache(corpus)  # cold again: the table below times parsing on demand
    # per stage of the searcher's path, wall and CPU seconds (CPU: what the stage costs on
    # an idle core, as wall time here is mostly waiting for one on a shared machine)
    wall: dict[str, list[float]] = {name: [] for name in STAGES}
    cpu: dict[str, list[float]] = {name: [] for name in STAGES}

    def lap(name: str, start: tuple[float, float]) -> tuple[float, float]:
        now = (time.perf_counter(), time.process_time())
        wall[name].append(now[0] - start[0])
        cpu[name].append(now[1] - start[1])
        return now

    def mark() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    cold_lat, warm_lat, recall10, recall10_distance = [], [], [], []
    hits = {"first1": 0, "first10": 0, "final1": 0, "final10": 0, "sk1": 0, "sk10": 0}
    n_candidates = []
    same_tuples = 0
    for qi, (q, answer) in enumerate(zip(queries, answers, strict=True)):
        at = mark()
        parse_formula(query_latex[qi])
        at = lap("parse", at)
        qv = encoder.encode_query([q])
        at = lap("encode", at)
        scores, ids = chosen.search(qv, candidates)
        if chosen.compressed:  # re-scored with the exact vectors, as the searcher does
            keep = ids[0] >= 0
            exact = vectors[ids[0][keep]] @ qv[0]
            order = np.argsort(-exact, kind="stable")
            scores, ids = exact[order][None, :], ids[0][keep][order][None, :]
        lap("faiss", at)
        top = ids[0][:10][ids[0][:10] >= 0]
        recall10.append(len(set(top.tolist()) & set(exact_ids[qi].tolist())) / 10)
        # ann-benchmarks' count: a hit at least as close as the exact 10th (renamed copies tie)
        recall10_distance.append(
            float(np.sum(vectors[top] @ qv[0] >= exact_scores[qi][9] - 1e-5)) / 10
        )
        t = time.perf_counter()
        final = rerank_ids(q, scores[0], ids[0], parsed)  # candidates parsed on demand (LRU)
        cold_lat.append(time.perf_counter() - t)
        t = time.perf_counter()
        rerank_ids(q, scores[0], ids[0], parsed)  # the same candidates, now parsed
        warm_lat.append(time.perf_counter() - t)
        # the searcher's path (EquationSearcher._rank, less the database): the tuple index's
        # candidates join FAISS's (their cosine from the stored vector), and all are scored
        # from their sketches (records read from the file at each query; nothing cached)
        at = mark()
        first = {int(j): float(s) for s, j in zip(scores[0], ids[0], strict=True) if j >= 0}
        _, held = tuples.search(q, candidates)
        at = lap("tuples", at)
        extra = [int(j) for j in held if int(j) not in first]
        if extra:
            first.update(zip(extra, (vectors[extra] @ qv[0]).tolist(), strict=True))
        at = lap("join", at)
        pairs = [(j, corpus[j]) for j in first]
        structures = tuples.structures(q, pairs, parse_uncached)
        ranked = rerank_structures(
            (j, whole, part, first[j])
            for (j, _), (whole, part) in zip(pairs, structures, strict=True)
        )
        lap("sketch", at)
        for clock in (wall, cpu):
            clock["whole"].append(sum(clock[name][-1] for name in STAGES[:6]))
        # the tuple index as it was (every posting of the query's tuples summed), interleaved
        # with the searcher's so that both see the same load; its top ids must be the same
        at = mark()
        scores_before, held_before = exhaustive_tuple_search(tuples, q, candidates)
        lap("before", at)
        same_tuples += same_top(scores_before, held_before, *tuples.search(q, candidates))
        n_candidates.append(len(pairs))
        # A renamed copy of the query's formula is as right as the original: structure is the
        # same and the query's own variable names match neither.
        first_o = [origin[int(j)] for j in ids[0] if j >= 0]
        final_o = [origin[j] for j in final]
        sketch_o = [origin[j] for _, j in ranked]
        hits["first1"] += first_o[:1] == [answer]
        hits["first10"] += answer in first_o[:10]
        hits["final1"] += final_o[:1] == [answer]
        hits["final10"] += answer in final_o[:10]
        hits["sk1"] += sketch_o[:1] == [answer]
        hits["sk10"] += answer in sketch_o[:10]
    print(f"\nchosen first stage: {label}; load {os.getloadavg()[0]:.1f}")
    print(
        f"first stage recall@10 against exact search: {np.mean(recall10):.3f} by ids, "
        f"{np.mean(recall10_distance):.3f} by distance; tuple index "
        f"top-{candidates} as every posting summed (same scores, same ids above the last "
        f"score; equal scores at the cut may differ): {same_tuples} of {m}"
    )
    print("\nper stage of the searcher's path (EquationSearcher._rank less the database):")
    print("| stage | wall p50 ms | wall p99 ms | CPU p50 ms | CPU p99 ms |")
    print("|---|---|---|---|---|")
    names = {
        "parse": "parse the query",
        "encode": "encode the query",
        "faiss": f"FAISS {kind} top-{candidates}"
        + (" + exact re-score" if chosen.compressed else ""),
        "tuples": f"tuple index top-{candidates} (MaxScore)",
        "join": "join the tuple index's candidates (their stored cosine)",
        "sketch": f"re-rank from sketches ({np.median(n_candidates):.0f} candidates)",
        "whole": "**whole query**",
        "before": f"tuple index top-{candidates}, every posting summed (before; not in whole)",
    }
    for name in STAGES:
        print(
            f"| {names[name]} | {pct(wall[name], 50):.2f} | {pct(wall[name], 99):.2f} | "
            f"{pct(cpu[name], 50):.2f} | {pct(cpu[name], 99):.2f} |"
        )
    print()
    first_lat = [sum(v) for v in zip(wall["encode"], wall["faiss"], strict=True)]
    tuple_lat = [sum(v) for v in zip(wall["tuples"], wall["join"], strict=True)]
    sketch_lat, search_lat = wall["sketch"], wall["whole"]
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
    print(
        f"| tuple index: its top-{candidates} joined (cosine from the stored vectors) | "
        f"{pct(tuple_lat, 50):.2f} | {pct(tuple_lat, 99):.2f} | | |"
    )
    print(
        f"| searcher's re-rank from sketches, {np.median(n_candidates):.0f} candidates "
        f"(FAISS + tuple index), none parsed | {pct(sketch_lat, 50):.2f} | "
        f"{pct(sketch_lat, 99):.2f} | {hits['sk1'] / m:.3f} | {hits['sk10'] / m:.3f} |"
    )
    print(
        f"| whole query (parse + first stage + tuple index + sketch re-rank) | "
        f"{pct(search_lat, 50):.2f} | {pct(search_lat, 99):.2f} | | |"
    )
    print(f"process RSS now: {rss_bytes() / 2**20:.0f} MiB")
    folder.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated corpus sizes")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="processes for parse+encode")
    parser.add_argument("--cache-dir", type=Path, help="keep corpus vectors here between runs")
    parser.add_argument(
        "--kinds",
        default=",".join((*STORE_KINDS, "hnsw")),
        help="index kinds to compare (the store's, and hnsw for comparison); '' for none",
    )
    parser.add_argument(
        "--first-stage",
        help="index kind of the searcher-path table (default: the store's at that size)",
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
            kinds=[k for k in args.kinds.split(",") if k],
            first_stage=args.first_stage,
        )


if __name__ == "__main__":
    main()
