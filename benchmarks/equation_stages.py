"""Where an equation query's CPU goes, stage by stage, over a ``serve_scale.py`` data folder.

    python benchmarks/equation_stages.py --data-dir DIR --cache-dir DIR --size N
        [--queries 200] [--modes serial,overlapped] [--save-top FILE | --check-top FILE]

In process, the store's :class:`EquationSearcher` as ``serve`` opens it (its FAISS index and
its saved tuple index with sketches, read back from ``DIR``), answering the renamed-variable
queries ``serve_scale.py`` sends (the same seed: the same 200 stored formulas renamed), each
``search(latex, k=10)`` as the API calls it (rank, then hydrate the 10 hits).

Each stage is timed by wrapping the function the searcher calls (whichever of them the code
under test has), with the CPU of the thread that ran it (``time.thread_time``: the tuple
search runs in a pool thread beside the encoding and FAISS, and its CPU must not be counted
twice); ``whole CPU`` is the process's (``time.process_time``, both threads), ``rest`` what the
stages leave of it (the searcher's own Python: dicts, the re-rank's sort, sessions). Two
modes: ``overlapped`` as the searcher runs (the tuple search beside encode + FAISS) and
``serial`` (the tuple search run inline, a pool that runs what it is given at once), so a
stage's own cost shows without the other thread's contention.

``--save-top`` writes each query's top-10 ids (and raw scores); ``--check-top`` reads such a
file and fails (exit 1) unless every query's top-10 ids are the same, in the same order: a
change meant to be faster only is run against the figures of the code before it.

Run the code before and after a change alternately (the same command from two checkouts) to
compare stages under the same load: CPU seconds, not wall, are the figures on a shared machine.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.equation_search import enlarge, real_formulas  # noqa: E402
from scipix_search.exceptions import LatexParseError  # noqa: E402
from scipix_search.math import rename_variables  # noqa: E402

# (module, attribute, stage): the functions a query's stages are; the ones absent from the
# code under test are skipped, so one benchmark times the code before and after a change
HOOKS = [
    ("scipix_search.search._equations", "EquationSearcher.parse_query", "parse"),
    ("scipix_search.embed", "FormulaEncoder.encode_query", "encode"),
    ("scipix_search.store._vectors", "VectorIndex.search", "faiss"),
    ("scipix_search.search._tuples", "TupleIndex.search", "tuples"),
    ("scipix_search.store.repo", "equation_keys", "keys"),
    ("scipix_search.store.repo", "equation_embeddings", "vectors"),
    ("scipix_search.search._tuples", "TupleIndex.structures", "sketch"),
    ("scipix_search.search._equations", "EquationSearcher._hydrate", "hydrate"),
]


class Clock:
    """Per-stage thread CPU and wall of the query being timed."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            c, w = time.thread_time(), time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.cpu[stage] += time.thread_time() - c
                self.wall[stage] += time.perf_counter() - w

        return timed

    def reset(self) -> None:
        self.cpu.clear()
        self.wall.clear()


def install(clock: Clock) -> list[str]:
    """Wrap each hook present in the code under test; the stages wrapped."""
    stages = []
    for module_name, attr, stage in HOOKS:
        module = importlib.import_module(module_name)
        owner: Any = module
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        if not hasattr(owner, name):
            continue
        setattr(owner, name, clock.wrap(stage, getattr(owner, name)))
        stages.append(stage)
    return stages


class InlinePool:
    """A pool that runs what it is given at once (the serial mode)."""

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def queries(size: int, n: int, cache: Path) -> list[str]:
    """The renamed-variable queries of ``serve_scale.py --size size`` (kept in ``cache``)."""
    path = cache / f"stage-queries-{size}-{n}.json"
    if path.is_file():
        return json.loads(path.read_text())
    rng = random.Random(size)
    base = real_formulas()
    corpus, _ = enlarge(base, size, rng)
    out = []
    for i in rng.sample(range(len(base)), n):
        try:
            out.append(rename_variables(corpus[i]))
        except LatexParseError:
            continue
    path.write_text(json.dumps(out))
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q)) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--size", type=int, required=True, help="serve_scale.py's --size")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--modes", default="serial,overlapped")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the queries")
    parser.add_argument("--save-top", type=Path)
    parser.add_argument("--check-top", type=Path)
    args = parser.parse_args()
    os.environ["SCIPIX_DATA_DIR"] = str(args.data_dir)
    os.environ["SCIPIX_EMBEDDED_WORKER"] = "false"

    import scipix_search
    from scipix_search.config import Settings
    from scipix_search.embed import FormulaEncoder
    from scipix_search.search import EquationSearcher

    # the searcher's module, to swap its side pool for the serial mode (as HOOKS, by name:
    # this benchmark instruments the searcher's internals on purpose)
    equations_module = importlib.import_module(EquationSearcher.__module__)
    from scipix_search.store import Store

    clock = Clock()
    stages = install(clock)
    searcher = EquationSearcher(Store(Settings()), FormulaEncoder())
    searcher.build_tuples()
    texts = queries(args.size, args.queries, args.cache_dir)
    print(
        f"# equation query stages at {args.size:,}: {len(texts)} queries, code "
        f"{Path(scipix_search.__file__).parent.parent}, load "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    real_pool = equations_module.side_pool
    pools = {"serial": lambda: InlinePool(), "overlapped": real_pool}
    modes = [m for m in args.modes.split(",") if m]
    for latex in texts[:20]:  # warm-up: first-touch pages, statement caches
        searcher.search(latex, k=10)
    cpu: dict[str, dict[str, list[float]]] = {m: defaultdict(list) for m in modes}
    wall: dict[str, list[float]] = {m: [] for m in modes}
    tops: dict[str, list[list[int]]] = {m: [] for m in modes}
    scores: list[list[float]] = []
    for _ in range(args.rounds):
        for q, latex in enumerate(texts):
            # interleaved query by query, each first in turn: the second run of a query finds
            # its rows in SQLite's page cache, and both modes see the same load
            for mode in modes if q % 2 == 0 else modes[::-1]:
                equations_module.side_pool = pools[mode]  # type: ignore[assignment]
                clock.reset()
                c, w = time.process_time(), time.perf_counter()
                hits = searcher.search(latex, k=10)
                whole_cpu, whole_wall = time.process_time() - c, time.perf_counter() - w
                for stage in stages:
                    cpu[mode][stage].append(clock.cpu.get(stage, 0.0))
                cpu[mode]["rest"].append(whole_cpu - sum(clock.cpu.values()))
                cpu[mode]["whole CPU"].append(whole_cpu)
                wall[mode].append(whole_wall)
                if len(tops[mode]) < len(texts):
                    tops[mode].append([h.id for h in hits])
                    if mode == modes[0]:
                        scores.append([h.raw_score or 0.0 for h in hits])
    equations_module.side_pool = real_pool
    print("| stage, CPU ms (thread) | " + " | ".join(f"{m} p50 | {m} p99" for m in modes) + " |")
    print("|---|" + "---|---|" * len(modes))
    for stage in [*stages, "rest", "whole CPU"]:
        cells = " | ".join(
            f"{pct(cpu[m][stage], 50):.2f} | {pct(cpu[m][stage], 99):.2f}" for m in modes
        )
        print(f"| {stage} | {cells} |")
    cells = " | ".join(f"{pct(wall[m], 50):.2f} | {pct(wall[m], 99):.2f}" for m in modes)
    print(f"| **whole wall** | {cells} |")
    print(f"load at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    first = tops[modes[0]]
    for mode in modes[1:]:
        same = sum(a == b for a, b in zip(first, tops[mode], strict=True))
        print(f"top-10 ids {modes[0]} = {mode}: {same} / {len(first)}")
    if args.save_top:
        args.save_top.write_text(json.dumps({"ids": first, "scores": scores}))
    if args.check_top:
        saved = json.loads(args.check_top.read_text())
        same = sum(a == b for a, b in zip(saved["ids"], first, strict=True))
        equal = sum(a == b for a, b in zip(saved["scores"], scores, strict=True))
        print(f"top-10 ids as in {args.check_top}: {same} / {len(first)}; scores {equal}")
        if same != len(first) or len(saved["ids"]) != len(first):
            sys.exit(1)


if __name__ == "__main__":
    main()
