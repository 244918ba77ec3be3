"""What storing one more document's vectors costs as the library grows (issue 17).

    python benchmarks/store_append.py [--sizes 10000 100000] [--documents 20] [--per-doc 150]

For each size N, an index of each kind (passages: 384 dims, equations: 1024, the real
encoders' widths) is saved holding N random unit vectors, then ``--documents`` documents of
``--per-doc`` new vectors each are stored one after the other through ``Store.add_vectors``
(what ``ingest`` does after a document's rows are committed). Printed per size and kind: the
CPU and wall milliseconds of one document's add (mean over the documents), the files in the
folder afterwards, and the CPU milliseconds of opening the index then (what an API process
pays to reload it, the least of three). Random vectors: the cost is the files' and FAISS's, not the encoders'.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from scipix_search.config import Settings
from scipix_search.store import IndexSpec, Store, VectorIndex

SPECS = (IndexSpec("passages", "bench-text", 384), IndexSpec("equations", "bench-formula", 1024))


def unit(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def bench(size: int, documents: int, per_doc: int) -> None:
    rng = np.random.default_rng(0)
    settings = Settings(data_dir=Path(tempfile.mkdtemp()) / "data")
    store = Store(settings)
    for spec in SPECS:
        directory = store.index_dir(spec.kind)
        index = VectorIndex.open(
            directory, dim=spec.dim, encoder=spec.encoder, policy=store.policy(spec)
        )
        for start in range(0, size, 50_000):
            n = min(50_000, size - start)
            index.add(np.arange(start + 1, start + 1 + n), unit(n, spec.dim, rng))
        index.save()
        cpu, wall = [], []
        next_id = size + 1
        for _ in range(documents):
            ids = np.arange(next_id, next_id + per_doc)
            vectors = unit(per_doc, spec.dim, rng)
            next_id += per_doc
            c0, w0 = time.process_time(), time.perf_counter()
            store.add_vectors(spec, ids, vectors)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        open_cpu = float("inf")
        for _ in range(3):  # the least of three: the first open in a process pays FAISS's start
            c0 = time.process_time()
            opened = VectorIndex.open(directory, dim=spec.dim, encoder=spec.encoder)
            open_cpu = min(open_cpu, time.process_time() - c0)
        assert opened.ntotal == size + documents * per_doc
        files = len([p for p in directory.iterdir() if p.name != ".lock"])
        print(
            f"| {size:>9,} | {spec.kind:9s} | {1000 * np.mean(cpu):9.1f} | "
            f"{1000 * np.mean(wall):9.1f} | {files:5d} | {1000 * open_cpu:9.1f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--per-doc", type=int, default=150)
    args = parser.parse_args()
    print("| vectors before | index | CPU ms a document | wall ms | files | open CPU ms |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes:
        bench(size, args.documents, args.per_doc)


if __name__ == "__main__":
    main()
