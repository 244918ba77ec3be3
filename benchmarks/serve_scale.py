"""`serve` at library scale: RSS and query latency of the real API over N equations + N passages.

    python benchmarks/serve_scale.py --data-dir DIR --cache-dir DIR [--size 1000000]
        [--passages N] [--queries 200] [--formula-index ivf-sq8] [--passage-index ivf-sq8]
        [--nprobe 64] [--reuse]

What it builds, and what is real in it:

* **Equations**: the corpus of ``benchmarks/equation_search.py`` (the 10,475 real formulas of
  ``../shared`` enlarged to N by renamed and joined copies; same seed, so its vector cache in
  ``--cache-dir`` is shared), each with the real ``FormulaEncoder`` vector and canonical form;
  MathML is left out (search never reads it; the database is that much smaller).
* **Passages**: every passage of the real papers' PDFs with its real MiniLM vector, enlarged to N
  with texts of those passages and *synthetic* vectors drawn from a Gaussian with the real
  vectors' mean and covariance (encoding 1M passages takes ~3 h here). Real text embeddings
  cluster more than a Gaussian does, so an IVF's recall on these is, if anything, pessimistic.
* Rows go in through ``Store.add_document`` (``write_index=False``, as a worker that writes
  only to the database), 100 equations and 100 passages a document; then ``scipix-search
  reindex`` builds the FAISS indexes by streaming the rows (the real rebuild path, timed); then
  ``scipix-search serve --no-worker`` starts, and the benchmark waits until it is ready and its
  tuple index (sub-formula first stage) is built.

Printed: rows and database size, reindex seconds and index file sizes, serve start and
tuple-index seconds, serve RSS (now and peak) after the queries, and per query kind (equation
LaTeX over HTTP: encode + FAISS + tuple index + structural re-rank + hydration; passage words over
HTTP: dense + FTS + fusion + hydration) p50/p99 ms, serve's CPU a query (its
threads together, from /proc: what load does not inflate much) and, for equations, the known
item's hit@10.
``--reuse`` keeps a data folder built by an earlier run (same size) and only serves and queries.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.equation_search import encode_corpus, enlarge, real_formulas  # noqa: E402
from scipix_search.config import Settings  # noqa: E402
from scipix_search.exceptions import LatexParseError  # noqa: E402
from scipix_search.ingest import (  # noqa: E402
    ParsedDocument,
    ParsedEquation,
    ParsedPassage,
    parse_pdf,
    sha256_bytes,
)
from scipix_search.math import parse_formula, rename_variables  # noqa: E402

PER_DOCUMENT = 100


def _canonical_chunk(chunk: list[str]) -> list[str | None]:
    out: list[str | None] = []
    for latex in chunk:
        try:
            out.append(parse_formula(latex).canonical)
        except LatexParseError:
            out.append(None)
    return out


def canonical_forms(corpus: list[str], cache: Path, workers: int) -> list[str | None]:
    if cache.is_file():
        forms = json.loads(cache.read_text())
        if len(forms) == len(corpus):
            return forms
    chunks = [corpus[i : i + 5000] for i in range(0, len(corpus), 5000)]
    with ProcessPoolExecutor(workers) as pool:
        forms = [f for part in pool.map(_canonical_chunk, chunks) for f in part]
    cache.write_text(json.dumps(forms))
    return forms


def real_passages(cache: Path) -> tuple[list[str], np.ndarray]:
    """Every passage of the real papers as ingestion cuts them, and its real vector."""
    from scipix_search.embed import TextEncoder
    from scipix_search.eval import paper_folders, shared_data_dir

    if cache.with_suffix(".npy").is_file() and cache.with_suffix(".json").is_file():
        return json.loads(cache.with_suffix(".json").read_text()), np.load(
            cache.with_suffix(".npy")
        )
    texts: list[str] = []
    for paper in paper_folders(shared_data_dir() / "papers"):
        data = paper.pdf.read_bytes()
        parsed = parse_pdf(data, paper.pdf.name, sha256_bytes(data), max_pages=10_000)
        texts += [p.text for p in parsed.passages]
    vectors = TextEncoder.from_settings(Settings()).encode_document(texts)
    cache.with_suffix(".json").write_text(json.dumps(texts))
    np.save(cache.with_suffix(".npy"), vectors)
    return texts, vectors


def synthetic_passage_vectors(real: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` unit vectors from a Gaussian with the real vectors' mean and covariance."""
    rng = np.random.default_rng(seed)
    mean = real.mean(axis=0)
    cov = np.cov(real, rowvar=False) + 1e-6 * np.eye(real.shape[1])
    factor = np.linalg.cholesky(cov)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 50_000):
        stop = min(n, start + 50_000)
        block = mean + rng.standard_normal((stop - start, real.shape[1])) @ factor.T
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def build_store(
    settings: Settings,
    corpus: list[str],
    eq_vectors: np.ndarray,
    canonical: list[str | None],
    texts: list[str],
    passage_vectors: np.ndarray,
) -> tuple[np.ndarray, float]:
    """Insert the rows (no index writes); the equation ids in corpus order, and seconds."""
    from sqlalchemy import select
    from tqdm import tqdm

    from scipix_search.embed import FormulaEncoder, TextEncoder
    from scipix_search.store import IndexSpec, Store
    from scipix_search.store.models import Equation
    from scipix_search.store.repo import EquationExtras

    store = Store(settings)
    text_encoder = TextEncoder.from_settings(settings)
    formula_encoder = FormulaEncoder()
    passage_spec = IndexSpec("passages", text_encoder.name, text_encoder.dim)
    equation_spec = IndexSpec("equations", formula_encoder.name, formula_encoder.dim)
    n_docs = max(len(corpus), len(texts)) // PER_DOCUMENT
    started = time.perf_counter()
    for d in tqdm(range(n_docs), desc="documents", unit="doc", mininterval=5):
        lo, hi = d * PER_DOCUMENT, (d + 1) * PER_DOCUMENT
        eqs = range(lo, min(hi, len(corpus)))
        pas = range(lo, min(hi, len(texts)))
        parsed = ParsedDocument(
            source=f"synthetic-{d:07d}.pdf",
            sha256=sha256_bytes(f"serve-scale {d}".encode()),
            kind="collection",
            title=f"Synthetic paper {d}",
            passages=[ParsedPassage(texts[j], None, None, k) for k, j in enumerate(pas)],
            equations=[
                ParsedEquation(corpus[j], None, None, True, "collection", order=k)
                for k, j in enumerate(eqs)
            ],
        )
        extras = [
            EquationExtras(canonical[j], None, eq_vectors[j] if canonical[j] else None) for j in eqs
        ]
        store.add_document(
            parsed,
            passage_vectors=passage_vectors[lo : lo + len(pas)],
            equation_extras=extras,
            passage_spec=passage_spec,
            equation_spec=equation_spec,
            write_index=False,
        )
    seconds = time.perf_counter() - started
    with store.session() as session:
        ids = np.array(session.scalars(select(Equation.id).order_by(Equation.id)).all())
    return ids, seconds


def rss_kib(pid: int) -> tuple[int, int]:
    """VmRSS and VmHWM (peak) of ``pid`` in KiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` (all its threads) so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def request(url: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as answer:
        return json.loads(answer.read())


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="equations")
    parser.add_argument("--passages", type=int, help="passages (default: --size)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--formula-index", default="auto")
    parser.add_argument("--passage-index", default="auto")
    parser.add_argument("--nprobe", type=int)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="serve an existing --data-dir")
    args = parser.parse_args()
    n_pass = args.passages or args.size
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "SCIPIX_DATA_DIR": str(args.data_dir),
        "SCIPIX_FORMULA_INDEX": args.formula_index,
        "SCIPIX_PASSAGE_INDEX": args.passage_index,
        "SCIPIX_EMBEDDED_WORKER": "false",
    }
    if args.nprobe:
        env["SCIPIX_INDEX_NPROBE"] = env["SCIPIX_PASSAGE_NPROBE"] = str(args.nprobe)
    os.environ.update({k: v for k, v in env.items() if k.startswith("SCIPIX_")})
    settings = Settings()

    rng = random.Random(args.size)
    base = real_formulas()
    corpus, origin = enlarge(base, args.size, rng)
    cache = args.cache_dir / f"equation-vectors-{args.size}-seed{args.size}.npy"
    print(f"# serve at {args.size:,} equations + {n_pass:,} passages ({os.cpu_count()} CPUs)")
    if not args.reuse:
        eq_vectors, enc_s = encode_corpus(corpus, workers=args.workers, cache=cache)
        canonical = canonical_forms(
            corpus, args.cache_dir / f"canonical-{args.size}.json", args.workers
        )
        texts, real_vecs = real_passages(args.cache_dir / "real-passages")
        vecs = np.concatenate(
            [real_vecs, synthetic_passage_vectors(real_vecs, max(0, n_pass - len(texts)), 0)]
        )[:n_pass]
        all_texts = [texts[j % len(texts)] for j in range(n_pass)]
        if args.data_dir.exists() and any(args.data_dir.iterdir()):
            sys.exit(f"{args.data_dir} is not empty (use --reuse to serve it)")
        args.data_dir.mkdir(parents=True, exist_ok=True)
        ids, insert_s = build_store(settings, corpus, eq_vectors, canonical, all_texts, vecs)
        np.save(args.data_dir / "bench-equation-ids.npy", ids)
        del eq_vectors, vecs
        db = settings.data_dir / "scipix.db"
        print(f"rows inserted in {insert_s:.0f} s; database {db.stat().st_size / 2**30:.2f} GiB")
        started = time.perf_counter()
        subprocess.run(["scipix-search", "reindex"], env=env, check=True)
        print(f"reindex (FAISS from the database, streamed): {time.perf_counter() - started:.0f} s")
    ids = np.load(args.data_dir / "bench-equation-ids.npy")
    for kind in ("equations", "passages"):
        files = list((settings.index_dir / kind).glob("*.faiss"))
        size = sum(f.stat().st_size for f in files)
        print(f"{kind} index files: {size / 2**20:.0f} MiB")

    log = (args.data_dir / "serve.log").open("w")
    started = time.perf_counter()
    server = subprocess.Popen(
        ["scipix-search", "serve", "--no-worker", "--port", str(args.port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{args.port}"
    try:
        while True:
            try:
                request(f"{base_url}/healthz")
                break
            except OSError:
                if server.poll() is not None:
                    sys.exit(f"serve exited; see {args.data_dir / 'serve.log'}")
                time.sleep(0.5)
        ready_s = time.perf_counter() - started
        # The first query opens the searchers, which start the tuple index's build.
        request(f"{base_url}/v1/search/equations", {"latex": "x^2", "k": 10})
        request(f"{base_url}/v1/search/documents?q=energy")
        while "tuple index:" not in (args.data_dir / "serve.log").read_text():
            if server.poll() is not None:
                sys.exit(f"serve exited; see {args.data_dir / 'serve.log'}")
            time.sleep(2)
        tuples_s = time.perf_counter() - started
        print(
            f"serve answering after {ready_s:.0f} s; tuple index built {tuples_s:.0f} s after start"
        )
        known = rng.sample(range(len(base)), args.queries)
        queries: list[tuple[str, int]] = []
        for i in known:
            try:
                queries.append((rename_variables(corpus[i]), i))
            except LatexParseError:
                continue
        texts, _ = real_passages(args.cache_dir / "real-passages")
        sentences: list[str] = []
        for text in random.Random(0).sample(texts, len(texts)):
            found = [s for s in re.split(r"(?<=[.!?])\s+", text) if 60 < len(s) < 300]
            if found:
                sentences.append(found[0])
            if len(sentences) == args.queries:
                break
        row_of = {int(e): j for j, e in enumerate(ids)}
        for latex, _ in queries[:20]:  # warm-up: caches, first-touch pages of the indexes
            request(f"{base_url}/v1/search/equations", {"latex": latex, "k": 10})
        eq_lat: list[float] = []
        hits10 = 0
        cpu = cpu_seconds(server.pid)
        for latex, answer in queries:
            t = time.perf_counter()
            found = request(f"{base_url}/v1/search/equations", {"latex": latex, "k": 10})
            eq_lat.append(time.perf_counter() - t)
            hits10 += answer in {origin[row_of[h["id"]]] for h in found["data"]}
        eq_cpu = (cpu_seconds(server.pid) - cpu) / len(queries)
        pa_lat: list[float] = []
        cpu = cpu_seconds(server.pid)
        for sentence in sentences:
            q = urllib.parse.quote(sentence)
            t = time.perf_counter()
            request(f"{base_url}/v1/search/documents?q={q}&k=10")
            pa_lat.append(time.perf_counter() - t)
        pa_cpu = (cpu_seconds(server.pid) - cpu) / len(sentences)
        rss, peak = rss_kib(server.pid)
        print(f"serve RSS after the queries: {rss / 2**20:.2f} GiB (peak {peak / 2**20:.2f} GiB)")
        # serve's CPU a query (all its threads, the mean): what a query costs on an idle
        # machine, where the wall figures of a loaded one say little
        print(
            "| query (over HTTP, one at a time) | n | p50 ms | p99 ms | serve CPU ms a query "
            "| known item hit@10 |"
        )
        print("|---|---|---|---|---|---|")
        print(
            f"| equation LaTeX (renamed variables) | {len(eq_lat)} | {pct(eq_lat, 50):.1f} | "
            f"{pct(eq_lat, 99):.1f} | {eq_cpu * 1000:.1f} | {hits10 / len(eq_lat):.3f} |"
        )
        print(
            f"| passage words (a sentence) | {len(pa_lat)} | {pct(pa_lat, 50):.1f} | "
            f"{pct(pa_lat, 99):.1f} | {pa_cpu * 1000:.1f} | |"
        )
        print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
