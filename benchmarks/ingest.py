"""Ingestion throughput on the shared papers, and passage-search latency at 100k passages.

    python benchmarks/ingest.py [--passages 100000] [--queries 200]
    python benchmarks/ingest.py --jobs 1 2 [--limit 6]   # the CLI with N job processes
    python benchmarks/ingest.py --jobs 2 --pdfs DIR      # the same over every PDF under DIR
                                                         # (e.g. benchmarks/typeset's --out)

Part 1 ingests the compiled PDF of every real paper of ../shared/data/papers into a fresh store
and prints, per stage (extract: text layer, display and inline equations, equation OCR; embed:
passage vectors, equation records; store), wall seconds, pages/s and the CPU seconds of this
process per page (user + system of all its threads: on a shared machine, other processes' load
inflates wall time far more than CPU time, so compare runs by CPU s/page and note the load). Part 2 builds a store of N passages by sampling
real sentences from those papers (recombined into passages of 2-4 sentences) and measures search
latency (dense FAISS, keyword FTS, and hybrid) over real queries, p50/p99, against a brute-force
numpy baseline in the same process.

Embedding 100k passages with the real encoder takes hours on two cores (about 10-15 long
passages/s), so each real sentence is embedded once with the real encoder and a passage's vector
is the normalised mean of its sentences' vectors: the passage texts (FTS) are real recombined
sentences and the vectors live in the encoder's own space, which is what search latency depends on.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from scipix_search.config import Settings  # noqa: E402
from scipix_search.embed import TextEncoder  # noqa: E402
from scipix_search.eval import paper_folders, shared_data_dir  # noqa: E402
from scipix_search.ingest import (  # noqa: E402
    ParsedDocument,
    ParsedPage,
    ParsedPassage,
    parse_pdf,
    sha256_bytes,  # noqa: E402
)
from scipix_search.pipeline import Indexer  # noqa: E402
from scipix_search.search import PassageSearcher  # noqa: E402
from scipix_search.store import repo  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = shared_data_dir()  # $SCIPIX_SHARED_DIR/data, by default ../shared/data
# every real paper's compiled PDF (SOURCES.tsv names it), as a library would ingest them
PAPERS = [
    paper.pdf.relative_to(SHARED / "papers").as_posix()
    for paper in paper_folders(SHARED / "papers")
]


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def bench_ingest(encoder: TextEncoder, *, keep_sentences: bool = True) -> list[str]:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()) / "data")
    indexer = Indexer(settings, text_encoder=encoder)
    totals = {"extract": 0.0, "embed": 0.0, "store": 0.0}
    cpu = dict.fromkeys(totals, 0.0)
    pages = passages = 0
    sentences: list[str] = []
    per_page: list[float] = []
    for rel in PAPERS:
        outcome = indexer.ingest_file(SHARED / "papers" / rel)
        assert outcome.status == "added", outcome.reason
        for key in totals:
            totals[key] += outcome.timings[key]
            cpu[key] += outcome.cpu[key]
        passages += outcome.passages
        pages += outcome.pages
        per_page.append(sum(outcome.timings[k] for k in totals) / max(1, outcome.pages))
        if keep_sentences:  # part 2's queries (parsed again here, outside the timed stages)
            data = (SHARED / "papers" / rel).read_bytes()
            parsed = parse_pdf(data, rel, sha256_bytes(data), max_pages=10_000)
            for p in parsed.passages:
                sentences += [s for s in re.split(r"(?<=[.!?])\s+", p.text) if len(s) > 40]
    total, total_cpu = sum(totals.values()), sum(cpu.values())
    print(f"\n## Ingest: {len(PAPERS)} real papers, {pages} pages, {passages} passages")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| stage | wall seconds | pages/s | CPU seconds | CPU s/page |")
    print("|---|---|---|---|---|")
    for key, sec in totals.items():
        print(
            f"| {key} | {sec:.2f} | {pages / sec:.1f} | {cpu[key]:.1f} | {cpu[key] / pages:.3f} |"
        )
    print(
        f"| total | {total:.2f} | {pages / total:.1f} | {total_cpu:.1f} | {total_cpu / pages:.3f} |"
    )
    ocr = "on" if indexer.models.pdf_formula_recognizer is not None else "off"
    print(
        f"seconds per page, median over papers: {float(np.median(per_page)):.2f} "
        f"(max {max(per_page):.2f}; equation OCR {ocr})"
    )
    return sentences


def bench_search(encoder: TextEncoder, sentences: list[str], n: int, n_queries: int) -> None:
    rng = random.Random(0)
    settings = Settings(data_dir=Path(tempfile.mkdtemp()) / "data")
    indexer = Indexer(settings, text_encoder=encoder)
    unique = sorted(set(sentences))
    started = time.perf_counter()
    sentence_vectors = encoder.encode_document(unique)
    embed_s = time.perf_counter() - started
    picks = [rng.sample(range(len(unique)), rng.randint(2, 4)) for _ in range(n)]
    texts = [" ".join(unique[i] for i in pick) for pick in picks]
    vectors = np.stack([sentence_vectors[pick].mean(axis=0) for pick in picks])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    batch = 5000
    ids_all = []
    for doc_no, start in enumerate(range(0, n, batch)):
        chunk = texts[start : start + batch]
        parsed = ParsedDocument(
            source=f"synthetic-{doc_no}.pdf",
            sha256=sha256_bytes(f"bench-{doc_no}-{n}".encode()),
            kind="pdf",
            title=f"synthetic {doc_no}",
            pages=[ParsedPage(1, 595, 842)],
            passages=[ParsedPassage(t, 1, (0, 0, 1, 1), i) for i, t in enumerate(chunk)],
        )
        with indexer.store.session() as session:
            document = repo.add_document(
                session=session, parsed=parsed, passage_vectors=vectors[start : start + batch]
            )
            ids = [p.id for p in document.passages]
        ids_all += ids
        indexer.store.add_vectors(
            indexer.passage_spec(), np.asarray(ids), vectors[start : start + batch]
        )
    searcher = PassageSearcher(indexer.store, encoder)
    queries = [rng.choice(sentences)[:120] for _ in range(n_queries)]
    query_vectors = encoder.encode_query(queries)
    rows = []
    for mode in ("dense", "keyword", "hybrid"):
        lat = []
        for q in queries:
            t = time.perf_counter()
            searcher.search(q, k=10, mode=mode)
            lat.append(time.perf_counter() - t)
        rows.append((f"{mode} (end to end, incl. query encoding + DB hydration)", lat))
    index = searcher._index
    faiss_lat, numpy_lat = [], []
    for qv in query_vectors:
        t = time.perf_counter()
        index.search(qv[None, :], 10)
        faiss_lat.append(time.perf_counter() - t)
        t = time.perf_counter()
        np.argpartition(-(vectors @ qv), 10)[:10]
        numpy_lat.append(time.perf_counter() - t)
    rows.append(("FAISS flat IP only", faiss_lat))
    rows.append(("baseline: numpy brute force", numpy_lat))
    print(f"\n## Passage search over {n:,} passages ({n_queries} real-sentence queries, k=10)")
    print(
        f"({len(unique):,} real sentences embedded in {embed_s:.0f} s, "
        f"{len(unique) / embed_s:.0f} sentences/s; passages recombine 2-4 of them)"
    )
    print("| path | p50 ms | p99 ms | vs numpy p50 |")
    print("|---|---|---|---|")
    base = pct(numpy_lat, 50)
    for name, lat in rows:
        print(f"| {name} | {pct(lat, 50):.2f} | {pct(lat, 99):.2f} | {pct(lat, 50) / base:.2f}x |")


def bench_cli_jobs(jobs: list[int], limit: int | None, pdfs: Path | None = None) -> None:
    """``scipix-search ingest FOLDER --jobs N`` as a user runs it (a fresh process and data
    folder for each N, models loaded in each job process): wall pages/s, and the ratio against
    the first N of the same run. ``pdfs``: every PDF under that folder instead of the real
    papers (the typeset corpus, whose documents all share one file name)."""
    import json
    import subprocess
    import sys

    folder = Path(tempfile.mkdtemp()) / "pdfs"
    folder.mkdir()
    # the PDFs alone, linked flat: a source beside its PDF would pair with it
    if pdfs is None:
        chosen = [(rel.replace("/", "__"), SHARED / "papers" / rel) for rel in PAPERS]
    else:
        found = sorted(pdfs.rglob("*.pdf"))
        chosen = [("__".join(p.relative_to(pdfs).parts), p.resolve()) for p in found]
    for name, path in chosen[:limit]:
        (folder / name).symlink_to(path)
    rows = []
    for n in jobs:
        env = {**os.environ, "SCIPIX_DATA_DIR": tempfile.mkdtemp(), "HF_HUB_OFFLINE": "1"}
        cmd = [sys.executable, "-m", "scipix_search.cli", "ingest", str(folder), "--json"]
        started = time.perf_counter()
        out = subprocess.run(
            [*cmd, "--jobs", str(n)], env=env, check=True, capture_output=True, text=True
        ).stdout
        wall = time.perf_counter() - started
        lines = [json.loads(line) for line in out.splitlines()]
        assert all(line["status"] == "added" for line in lines), lines
        pages = sum(_pages(folder / Path(line["file"]).name) for line in lines)
        rows.append((n, len(lines), pages, wall))
    base = rows[0][2] / rows[0][3]
    print(f"\n## CLI ingest --jobs: {rows[0][1]} PDFs, {rows[0][2]} pages, {os.cpu_count()} CPUs")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"| jobs | wall seconds | pages/s | x jobs={rows[0][0]} |")
    print("|---|---|---|---|")
    for n, _, pages, wall in rows:
        print(f"| {n} | {wall:.1f} | {pages / wall:.2f} | {pages / wall / base:.2f} |")


def _pages(path: Path) -> int:
    import pymupdf

    with pymupdf.open(path) as doc:
        return doc.page_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ingest-only", action="store_true", help="skip the 100k search part")
    parser.add_argument(
        "--jobs",
        type=int,
        nargs="+",
        help="only time `scipix-search ingest --jobs N` over the papers' PDFs for each N",
    )
    parser.add_argument("--limit", type=int, help="with --jobs: the first N papers only")
    parser.add_argument(
        "--pdfs", type=Path, help="with --jobs: every PDF under this folder, not the real papers"
    )
    args = parser.parse_args()
    if args.jobs:
        bench_cli_jobs(args.jobs, args.limit, args.pdfs)
        return
    settings = Settings()
    encoder = TextEncoder.from_settings(settings)  # as ingestion opens it (int8 on a CPU)
    print(
        f"machine: {os.cpu_count()} CPUs; encoder {encoder.name} {encoder.precision} on "
        f"{encoder._session.get_providers()[0]}"
    )
    sentences = bench_ingest(encoder, keep_sentences=not args.ingest_only)
    if not args.ingest_only:
        bench_search(encoder, sentences, args.passages, args.queries)


if __name__ == "__main__":
    main()
