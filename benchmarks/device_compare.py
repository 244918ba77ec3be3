"""CPU and GPU side by side: formula OCR, born-digital ingestion and FAISS, on the real code paths.

    python benchmarks/device_compare.py [--devices cpu cuda] [--formulas 200] [--papers 3]
                                        [--vectors 200000] [--queries 300]

Each part runs once per device with ``Settings.device`` set to it (``scripts/gpu_check.sh`` runs
it on a GPU machine):

- **formula OCR**: the first ``--formulas`` im2latex dev images read one at a time by
  ``LatexRecognizer.from_settings`` (ms a formula, median and p90; exact match of the canonical
  token sequence against the truth, so a device that reads differently shows it);
- **ingest**: the first ``--papers`` real papers' PDFs through ``Indexer.ingest_file`` into a fresh
  store (equation OCR and passage embedding on the device; pages/s and the stage split);
- **FAISS**: ``--vectors`` formula vectors (the shared formulas encoded by ``FormulaEncoder``, and
  normalised sums of two of them to reach the size) in a ``VectorIndex`` of each kind the store
  uses (flat, and IVF built by the rebuild's train-then-add path): build seconds, one-query
  latency p50/p99, and recall@10 against the CPU flat index's exact answers.

A device whose libraries or hardware are missing gets a column saying why (never CPU figures
under a GPU heading): ``onnxruntime-gpu``'s CUDA provider for the models, ``faiss-gpu``'s GPUs
for the indexes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks._index_kinds import fill_as_rebuilt  # noqa: E402
from scipix_search.config import Settings  # noqa: E402
from scipix_search.eval import paper_folders, print_table, shared_data_dir  # noqa: E402
from scipix_search.exceptions import MissingDependencyError  # noqa: E402

Figures = dict[str, float]


def _ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def bench_ocr(settings: Settings, limit: int) -> Figures:
    from scipix_search.math import as_tokens
    from scipix_search.ocr import LatexRecognizer

    data = shared_data_dir() / "im2latex"
    rows = (data / "dev.tsv").read_text().splitlines()[1 : limit + 1]
    items = [(data / "images" / name, truth) for name, truth in (r.split("\t", 1) for r in rows)]
    recognizer = LatexRecognizer.from_settings(settings)
    recognizer.calibrate([path for path, _ in items])  # the pooled scale, as a document gets
    recognizer(items[0][0])  # first-call set-up (CUDA kernels, arenas) is not a formula's cost
    times, exact = [], []
    for path, truth in items:
        start = time.perf_counter()
        latex = recognizer(path).latex
        times.append(time.perf_counter() - start)
        exact.append(as_tokens(latex) == as_tokens(truth))
    return {
        "formulas": len(items),
        "ms a formula, median": _ms(times, 50),
        "ms a formula, p90": _ms(times, 90),
        "exact match": statistics.fmean(exact),
    }


def bench_ingest(settings: Settings, papers: int) -> Figures:
    from scipix_search.pipeline import Indexer

    indexer = Indexer(settings.model_copy(update={"data_dir": Path(tempfile.mkdtemp()) / "d"}))
    folders = paper_folders(shared_data_dir() / "papers")[:papers]
    wall = dict.fromkeys(("extract", "embed", "store"), 0.0)
    pages = 0
    for folder in folders:
        outcome = indexer.ingest_file(folder.pdf)
        if outcome.status != "added":
            raise RuntimeError(f"{folder.pdf.name}: {outcome.status} ({outcome.reason})")
        pages += outcome.pages
        for key in wall:
            wall[key] += outcome.timings[key]
    total = sum(wall.values())
    return {
        "papers": len(folders),
        "pages": pages,
        "pages/s": pages / total,
        **{f"{key} s a page": sec / pages for key, sec in wall.items()},
    }


def corpus_vectors(n: int, seed: int = 0) -> np.ndarray:
    """``n`` formula vectors: the shared formulas encoded, then sums of two of them."""
    from scipix_search.embed import FormulaEncoder

    formulas = shared_data_dir() / "formulas" / "im2latex_val_formulas.txt"
    latex = [line for line in formulas.read_text().splitlines() if line.strip()]
    real = FormulaEncoder().encode_document(latex)
    rng = np.random.default_rng(seed)
    extra = max(0, n - len(real))
    pairs = rng.integers(0, len(real), size=(extra, 2))
    mixed = (
        real[pairs[:, 0]] + rng.uniform(0.2, 1.0, (extra, 1)).astype(np.float32) * real[pairs[:, 1]]
    )
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    return np.concatenate([real, mixed])[:n].astype(np.float32)


def bench_faiss(
    settings: Settings, vectors: np.ndarray, queries: np.ndarray, exact: np.ndarray
) -> Figures:
    from scipix_search.store import IndexPolicy, VectorIndex

    out: Figures = {}
    for kind in ("flat", "ivf"):
        policy = IndexPolicy(
            kind=kind, approximate_from=0, nprobe=settings.index_nprobe, device=settings.device
        )
        index = VectorIndex.open(
            Path(tempfile.mkdtemp()), dim=vectors.shape[1], encoder="bench", policy=policy
        )
        start = time.perf_counter()
        fill_as_rebuilt(index, vectors)  # the rebuild's path: train on a sample, add in batches
        index.search(queries[:1], 10)  # the device copy is made by the first search
        out[f"{kind}: build s"] = time.perf_counter() - start
        times, found = [], []
        for q, truth in zip(queries, exact, strict=True):
            begin = time.perf_counter()
            _, hit = index.search(q[None, :], 10)
            times.append(time.perf_counter() - begin)
            found.append(len(set(hit[0].tolist()) & set(truth.tolist())) / 10)
        out[f"{kind}: query ms p50"] = _ms(times, 50)
        out[f"{kind}: query ms p99"] = _ms(times, 99)
        out[f"{kind}: recall@10"] = statistics.fmean(found)
    return out


def _models_check(settings: Settings) -> None:
    from scipix_search.onnx import choose_providers, import_onnxruntime

    choose_providers(settings.device, import_onnxruntime().get_available_providers())


def _faiss_check(settings: Settings) -> None:
    from scipix_search.store import faiss_on_gpu

    faiss_on_gpu(settings.device)


def _column(check: Callable[[], None], run: Callable[[], Figures]) -> Figures | str:
    """One device's figures, or why it has none (checked first: a failed ingest hides it)."""
    try:
        check()
    except MissingDependencyError as exc:
        return f"n/a: {exc}"
    return run()


def _print(title: str, columns: dict[str, Figures | str]) -> None:
    names = list(columns)
    keys: list[str] = []
    for figures in columns.values():
        if isinstance(figures, dict):
            keys += [k for k in figures if k not in keys]
    for name, figures in columns.items():
        if isinstance(figures, str):
            print(f"{title}, {name}: {figures}")  # noqa: T201
    rows = []
    for key in keys:
        cells = []
        for name in names:
            value = columns[name]
            cells.append(f"{value[key]:.3f}" if isinstance(value, dict) and key in value else "n/a")
        rows.append([key, *cells])
    print()  # noqa: T201
    print_table(["", *names], rows, title=f"## {title}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--devices", nargs="+", default=["cpu", "cuda"])
    parser.add_argument("--formulas", type=int, default=200)
    parser.add_argument("--papers", type=int, default=3)
    parser.add_argument("--vectors", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--parts", default="ocr,ingest,faiss")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    settings = {device: Settings(device=device) for device in args.devices}
    print(f"machine: {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")  # noqa: T201
    if "ocr" in parts:
        _print(
            "formula OCR (im2latex dev)",
            {
                d: _column(lambda s=s: _models_check(s), lambda s=s: bench_ocr(s, args.formulas))
                for d, s in settings.items()
            },
        )
    if "ingest" in parts:
        _print(
            "born-digital ingestion (real papers)",
            {
                d: _column(lambda s=s: _models_check(s), lambda s=s: bench_ingest(s, args.papers))
                for d, s in settings.items()
            },
        )
    if "faiss" in parts:
        vectors = corpus_vectors(args.vectors)
        rng = np.random.default_rng(1)
        queries = vectors[rng.choice(len(vectors), args.queries, replace=False)]
        queries = queries + rng.normal(0, 0.02, queries.shape).astype(np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
        _print(
            f"FAISS ({len(vectors)} formula vectors, {args.queries} one-query searches)",
            {
                d: _column(
                    lambda s=s: _faiss_check(s), lambda s=s: bench_faiss(s, vectors, queries, exact)
                )
                for d, s in settings.items()
            },
        )
    print(f"load at the end {os.getloadavg()[0]:.1f}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
