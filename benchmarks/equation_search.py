"""Equation-search latency and first-stage recall at 100k (and optionally 1M) equations.

    python benchmarks/equation_search.py [--sizes 100000] [--queries 200] [--candidates 100]

Corpus: the 8,475 real formulas of ../shared/data/formulas plus the 2,000 im2latex dev formulas,
enlarged to N by recombining real formulas: a copy with its single-letter variables consistently
renamed by a random permutation, or two real formulas joined by a relation (``A = B``, ``A , B``).
Every corpus formula is encoded with the real ``FormulaEncoder`` (same code as ingestion).

Queries: real corpus formulas with their variables renamed (x->u, i->k, ... a fixed map), so the
original is the known answer (a recombined copy of it with other renamed variables counts too:
same structure, and the query's letters match neither). Printed per size: first stage (query encoding + FAISS) and re-rank
(``structural_similarity`` over the candidates, formulas pre-parsed as the searcher's cache does)
latency p50/p99; the known item's rank (hit@1, hit@10) after each stage; and FAISS recall@10 of the
chosen index against exact search (the flat index is exact; IVF is shown beside it).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

import numpy as np

from scipix_search.embed import FormulaEncoder
from scipix_search.exceptions import LatexParseError
from scipix_search.math import parse_formula, rename_variables, structural_similarity

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SCIPIX_SHARED_DIR", ROOT.parent / "shared")) / "data"
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


def run_size(base: list[str], n: int, n_queries: int, candidates: int, rng: random.Random) -> None:
    import faiss

    encoder = FormulaEncoder()
    corpus, origin = enlarge(base, n, rng)
    started = time.perf_counter()
    parsed = []
    for latex in corpus:
        try:
            parsed.append(parse_formula(latex))
        except LatexParseError:
            parsed.append(None)
    vectors = np.zeros((n, encoder.dim), np.float32)
    ok = [i for i, f in enumerate(parsed) if f is not None]
    for start in range(0, len(ok), 5000):
        idx = ok[start : start + 5000]
        vectors[idx] = encoder.encode_document([parsed[i] for i in idx])
    build_s = time.perf_counter() - started

    flat = faiss.IndexFlatIP(encoder.dim)
    flat.add(vectors)
    nlist = int(4 * np.sqrt(n))
    ivf = faiss.IndexIVFFlat(
        faiss.IndexFlatIP(encoder.dim), encoder.dim, nlist, faiss.METRIC_INNER_PRODUCT
    )
    ivf.train(vectors[rng.sample(range(n), min(n, 40 * nlist))])
    ivf.add(vectors)
    ivf.nprobe = 16

    known = rng.sample(range(len(base)), n_queries)
    queries, answers = [], []
    for i in known:
        try:
            queries.append(rename_variables(corpus[i]))
            answers.append(i)
        except LatexParseError:
            continue
    first_lat, rerank_lat, ivf_lat = [], [], []
    hit1_first = hit10_first = hit1 = hit10 = 0
    recall_ivf = []
    for latex, answer in zip(queries, answers, strict=True):
        t = time.perf_counter()
        q = parse_formula(latex)
        qv = encoder.encode_query([q])
        scores, ids = flat.search(qv, candidates)
        first_lat.append(time.perf_counter() - t)
        t = time.perf_counter()
        rescored = sorted(
            (
                (
                    0.7 * (structural_similarity(q, parsed[j]) if parsed[j] else 0.0)
                    + 0.3 * max(float(s), 0.0),
                    int(j),
                )
                for s, j in zip(scores[0], ids[0], strict=True)
                if j >= 0
            ),
            key=lambda x: (-x[0], x[1]),
        )
        rerank_lat.append(time.perf_counter() - t)
        # A renamed copy of the query's formula is as right as the original: structure is the
        # same and the query's own variable names match neither.
        first = [origin[int(j)] for j in ids[0]]
        final = [origin[j] for _, j in rescored]
        hit1_first += first[:1] == [answer]
        hit10_first += answer in first[:10]
        hit1 += final[:1] == [answer]
        hit10 += answer in final[:10]
        t = time.perf_counter()
        _, ivf_ids = ivf.search(qv, 10)
        ivf_lat.append(time.perf_counter() - t)
        recall_ivf.append(len(set(ivf_ids[0].tolist()) & set(ids[0][:10].tolist())) / 10)
    m = len(queries)
    print(
        f"\n## {n:,} equations ({len(base):,} real + {n - min(n, len(base)):,} recombined; "
        f"parse+encode {build_s:.0f} s, {n / build_s:.0f}/s), {m} renamed-variable queries"
    )
    print("| stage | p50 ms | p99 ms | hit@1 | hit@10 |")
    print("|---|---|---|---|---|")
    print(
        f"| first stage: parse + encode + FAISS flat top-{candidates} | {pct(first_lat, 50):.2f} | "
        f"{pct(first_lat, 99):.2f} | {hit1_first / m:.3f} | {hit10_first / m:.3f} |"
    )
    print(
        f"| re-rank {candidates} (structural) | {pct(rerank_lat, 50):.2f} | {pct(rerank_lat, 99):.2f} | "
        f"{hit1 / m:.3f} | {hit10 / m:.3f} |"
    )
    print(
        f"| FAISS IVF{nlist},nprobe=16 top-10 (alternative) | {pct(ivf_lat, 50):.2f} | {pct(ivf_lat, 99):.2f} | | |"
    )
    print(f"FAISS recall@10 vs exact: flat (chosen) 1.000; IVF {np.mean(recall_ivf):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated corpus sizes")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--candidates", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(0)
    base = real_formulas()
    print(f"machine: {os.cpu_count()} CPUs; real formulas: {len(base):,}")
    for n in (int(s) for s in args.sizes.split(",")):
        run_size(base, n, args.queries, args.candidates, rng)


if __name__ == "__main__":
    main()
