"""The tuple index's top-100 search alone, over ``serve_scale.py``'s corpus: CPU a query, and
whether another checkout's search answers the same.

    python benchmarks/tuple_search.py --size N --cache-dir DIR [--queries 200] [--rounds 3]
        [--repeat R] [--against CHECKOUT]

The corpus is ``serve_scale.py``'s (the real formulas of ``../shared`` enlarged to N with
renamed and joined copies, seed N) and so are the queries (the same stored formulas renamed);
each formula's tuple keys are parsed once and kept in ``DIR/tuple-keys-N.npz`` (~1 s of CPU
per 2,500 formulas here). The index is built in memory as ``serve`` builds it, and each query
is ``search_keys(keys, 100)``, what the equation searcher asks of it, timed by the CPU of the
thread (``time.thread_time``).

``--repeat R`` stores every row R times (an R x N index of real rows: longer lists, the same
share of each tuple), a stand-in for a larger corpus when parsing one is too dear.
``--against`` loads ``scipix_search/search/_tuples.py`` of another checkout beside this one's
and runs both query by query, each first in turn (the same load for both), then fails (exit 1)
unless every query's scores and ids are bitwise those of the other: a change meant to be
faster only is measured against the code before it. (A checkout before 3658a4e took other
rows among those tied at the 100th score: the same scores, ids 123 / 200 at 200k.)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks._common import code_version  # noqa: E402
from benchmarks.equation_search import enlarge, real_formulas  # noqa: E402
from scipix_search.exceptions import LatexParseError  # noqa: E402
from scipix_search.math import parse_formula, rename_variables  # noqa: E402
from scipix_search.search import TupleIndex, tuple_keys  # noqa: E402


def _keys_of(latex: str) -> np.ndarray:
    """A stored row's keys as the index makes them (unparsable LaTeX: no keys)."""
    try:
        return tuple_keys(parse_formula(latex))
    except LatexParseError:
        return tuple_keys(None)


K = 100


def corpus_keys(
    size: int, n_queries: int, cache: Path
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Tuple keys of ``serve_scale.py --size size``'s formulas and of its queries (cached)."""
    path = cache / f"tuple-keys-{size}.npz"
    if path.is_file():
        with np.load(path) as saved:
            if len(saved["qlens"]) >= n_queries:
                rows = np.split(saved["flat"], np.cumsum(saved["lens"])[:-1])
                queries = np.split(saved["qflat"], np.cumsum(saved["qlens"])[:-1])
                return rows, queries[:n_queries]
    rng = random.Random(size)  # serve_scale.py's draws, in its order
    base = real_formulas()
    corpus, _ = enlarge(base, size, rng)
    queries = []
    for i in rng.sample(range(len(base)), n_queries):
        try:
            queries.append(tuple_keys(parse_formula(rename_variables(corpus[i]))))
        except LatexParseError:
            continue
    rows = [_keys_of(latex) for latex in corpus]
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        flat=np.concatenate(rows),
        lens=np.array([len(r) for r in rows]),
        qflat=np.concatenate(queries),
        qlens=np.array([len(q) for q in queries]),
    )
    return rows, queries


def module_of(checkout: Path) -> ModuleType:
    """``scipix_search/search/_tuples.py`` of ``checkout``, loaded beside this one's (it imports
    the rest of ``scipix_search`` from this checkout)."""
    spec = importlib.util.spec_from_file_location(
        "other_tuples", checkout / "scipix_search" / "search" / "_tuples.py"
    )
    if spec is None or spec.loader is None:
        sys.exit(f"no _tuples.py under {checkout}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="serve_scale.py's --size")
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the queries")
    parser.add_argument("--repeat", type=int, default=1, help="store each row this many times")
    parser.add_argument("--against", type=Path, help="another checkout, run interleaved")
    args = parser.parse_args()

    rows, queries = corpus_keys(args.size, args.queries, args.cache_dir)
    index = TupleIndex(rows * args.repeat)
    del rows
    runs = [("this", index)]
    if args.against:
        other = module_of(args.against.resolve())
        runs.append(
            ("against", other.TupleIndex.from_postings(index.postings, index.df, index.ids))
        )
    against = f" against {args.against}" if args.against else ""
    print(
        f"# tuple index top-{K} at {index.n:,} rows ({args.size:,} x {args.repeat}), "
        f"{len(queries)} queries x {args.rounds} rounds, code {code_version()}{against}"
    )
    cpu: dict[str, list[float]] = {name: [] for name, _ in runs}
    same = 0
    for r in range(args.rounds):
        for q, keys in enumerate(queries):
            turn = runs if (q + r) % 2 == 0 else runs[::-1]
            answers = {}
            for name, searcher in turn:
                c = time.thread_time()
                answers[name] = searcher.search_keys(keys, K)
                cpu[name].append(time.thread_time() - c)
            if r == 0 and len(answers) == 2:
                (s1, i1), (s2, i2) = answers["this"], answers["against"]
                same += s1.tobytes() == s2.tobytes() and i1.tobytes() == i2.tobytes()
    print("| code | CPU p50 ms | p90 | p99 | mean |")
    print("|---|---|---|---|---|")
    for name, values in cpu.items():
        print(
            f"| {name} | {pct(values, 50):.2f} | {pct(values, 90):.2f} | {pct(values, 99):.2f} "
            f"| {np.mean(values) * 1000:.2f} |"
        )
    print(f"load at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.against:
        print(f"scores and ids bitwise the same: {same} / {len(queries)}")
        if same != len(queries):
            sys.exit(1)


if __name__ == "__main__":
    main()
