"""``scipix-search ingest PATH...``: files and folders (recursive) into the store."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import queue
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from scipix_search.cli._common import emit, emit_json, int_between, settings_of
from scipix_search.cli._errors import print_error
from scipix_search.exceptions import InputError, JobCrashedError

if TYPE_CHECKING:
    from scipix_search.config import Settings
    from scipix_search.pipeline import Indexer, IngestOutcome
    from scipix_search.worker import JobProcess

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """Ingest every input; a bad file is reported (one ``error:`` line) and the others still run.

    Returns:
        0 when something was added or already present, 1 when every input failed.

    Raises:
        InputError: the folders given hold no file that can be ingested.
    """
    settings = settings_of(args)
    with contextlib.ExitStack() as stack:
        # The job processes start first: each takes about a second (imports, the passage
        # model) that then runs beside this process's own imports and page counts, not after
        # them, while a core would stand idle.
        early = _launch_jobs(args, settings, stack)
        # Imported here, not at module level: `--version`, `--help` and `stats` must not pay
        # for them.
        from tqdm import tqdm

        from scipix_search.ingest import collect_files, pair_sources

        files, missing = collect_files([Path(p) for p in args.paths])
        if not files and not missing:
            raise InputError(
                f"nothing to ingest in {', '.join(args.paths)} (no PDF, image or LaTeX)"
            )
        items: list[tuple[Path, Path | None]] = (
            [(f, None) for f in files] if args.no_pair else pair_sources(files)
        )
        counts: Counter[str] = Counter()
        failures = list(missing)
        counts["failed"] += len(missing)
        jobs = min(args.jobs, max(1, len(items)))
        indexers: list[Indexer | JobProcess]
        if len(early) == jobs:
            indexers = list(early)
        else:
            for job in early:  # fewer inputs than the --jobs launched for: not needed
                job.close()
            indexers = _indexers(jobs, settings, stack)
        # Counted in pages, not files: a 78-page paper is not one step like a formula image,
        # so the rate (pages/s) and the ETA mean something on a folder of papers.
        sizes = [_page_count(pdf or path) for path, pdf in items]
        with tqdm(
            total=sum(sizes), desc="ingest", unit="page", disable=args.json or None
        ) as progress:
            if len(indexers) == 1:
                for (path, pdf), size in zip(items, sizes, strict=True):
                    progress.set_postfix_str((pdf or path).name)  # the file being read
                    outcome = _ingest_one(indexers[0], path, pdf)
                    _record(args, counts, failures, outcome, path, pdf)
                    progress.update(size)
            else:
                done = _ingest_side_by_side(indexers, items, sizes)
                for (path, pdf), size, outcome in zip(items, sizes, done, strict=True):
                    _record(args, counts, failures, outcome, path, pdf)
                    progress.update(size)
    all_failed = bool(counts["failed"]) and not (counts["added"] or counts["present"])
    if not args.json:
        if not all_failed:  # when nothing worked, the error lines alone say it
            emit(
                f"added {counts['added']}, already present {counts['present']}, "
                f"failed {counts['failed']}"
                + (
                    f" ({counts['duplicate']} of the added another build of a stored paper: "
                    "linked to it, not indexed again)"
                    if counts["duplicate"]
                    else ""
                )
            )
        for reason in failures:
            print_error(reason)
    return 1 if all_failed else 0


def _launch_jobs(
    args: argparse.Namespace, settings: Settings, stack: contextlib.ExitStack
) -> list[JobProcess]:
    """The job processes of ``--jobs N``, launched (not yet ready), before the inputs are
    listed: as many as there may be inputs (N, or fewer where every path names a file)."""
    paths = [Path(p) for p in args.paths]
    most = len(paths) if all(p.is_file() for p in paths) else args.jobs
    jobs = min(args.jobs, most)
    if jobs <= 1:
        return []
    launched = _job_processes(jobs, settings, stack)
    for job in launched:
        job.launch()
    return launched


def _indexers(
    jobs: int, settings: Settings, stack: contextlib.ExitStack
) -> list[Indexer | JobProcess]:
    """One indexer per job: in this process, or job processes (closed with ``stack``)."""
    if jobs > 1 or settings.job_isolation == "process":
        # Each file under the job budget, in a child that a runaway file cannot outlive;
        # with --jobs N, N children read files side by side (the store's index lock and
        # the database serialise their commits, as for several workers)
        return list(_job_processes(jobs, settings, stack))
    from scipix_search.pipeline import Indexer

    indexer = Indexer(settings)
    indexer.sync_indexes()
    return [indexer]


def _job_processes(jobs: int, settings: Settings, stack: contextlib.ExitStack) -> list[JobProcess]:
    from scipix_search.worker import JobProcess

    shares = core_shares(jobs) if jobs > 1 else [None]
    return [stack.enter_context(JobProcess(settings, cpus=c)) for c in shares]


def _page_count(path: Path) -> int:
    """Pages of a PDF (read from its page tree, nothing parsed); 1 for any other input and
    for a PDF that does not open (ingestion then reports why)."""
    if path.suffix.lower() != ".pdf":
        return 1
    import pymupdf

    try:
        with pymupdf.open(path) as doc:
            return max(1, doc.page_count)
    except Exception:  # noqa: BLE001 - a damaged file fails in ingestion, with its reason
        return 1


def _ingest_side_by_side(
    indexers: list[Indexer | JobProcess], items: list[tuple[Path, Path | None]], sizes: list[int]
) -> Iterator[IngestOutcome]:
    """Outcomes of ``items`` in their order, read by the indexers side by side (each file
    goes to the next free one; an outcome is yielded as soon as its file and every file
    before it are done, so the progress bar moves while the others still run)."""
    from concurrent.futures import ThreadPoolExecutor

    free: queue.SimpleQueue[Indexer | JobProcess] = queue.SimpleQueue()
    for indexer in indexers:
        free.put(indexer)

    def work(item: tuple[Path, Path | None]) -> IngestOutcome:
        indexer = free.get()
        try:
            return _ingest_one(indexer, *item)
        finally:
            free.put(indexer)

    with ThreadPoolExecutor(len(indexers), thread_name_prefix="ingest") as pool:
        # the longest files first (a long paper started last would run alone at the end)
        longest = sorted(range(len(items)), key=lambda i: -sizes[i])
        futures = dict(zip(longest, (pool.submit(work, items[i]) for i in longest), strict=True))
        for i in range(len(items)):
            yield futures[i].result()


def core_shares(jobs: int) -> list[frozenset[int]]:
    """The usable cores dealt out to ``jobs`` processes (each gets at least one; with more
    jobs than cores, cores are shared): two job processes on two cores each counted both
    cores and ran two intra-op threads, and oversubscribed threads slow ONNX decoding."""
    cores = sorted(os.sched_getaffinity(0))
    if jobs >= len(cores):
        return [frozenset({cores[i % len(cores)]}) for i in range(jobs)]
    return [frozenset(cores[i::jobs]) for i in range(jobs)]


def _ingest_one(indexer: Indexer | JobProcess, path: Path, pdf: Path | None) -> IngestOutcome:
    try:
        return indexer.ingest_file(path) if pdf is None else indexer.ingest_pair(path, pdf)
    except JobCrashedError as exc:  # the child died on this file: report it, go on
        from scipix_search.pipeline import IngestOutcome

        name = path.name if pdf is None else f"{pdf.name} + {path.name}"
        return IngestOutcome(name, "failed", reason=f"{name}: {exc}")


def _record(
    args: argparse.Namespace,
    counts: Counter[str],
    failures: list[str],
    outcome: IngestOutcome,
    path: Path,
    pdf: Path | None,
) -> None:
    counts[outcome.status] += 1
    counts["duplicate"] += outcome.duplicate_of is not None
    if outcome.status == "failed":
        failures.append(outcome.reason or f"{path}: failed")
    if args.json:
        emit_json(
            {
                "file": str(path) if pdf is None else f"{pdf} + {path}",
                "status": outcome.status,
                "document_id": outcome.document_id,
                "reason": outcome.reason,
                "passages": outcome.passages,
                "equations": outcome.equations,
                "duplicate_of": outcome.duplicate_of,
            }
        )


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest", help="ingest PDFs, images, LaTeX sources and formula lists (files or folders)"
    )
    parser.add_argument("paths", nargs="+", help="files or folders (searched recursively)")
    parser.add_argument("--json", action="store_true", help="one JSON line per file")
    parser.add_argument(
        "--jobs",
        type=int_between(1, 64, "jobs"),
        default=1,
        metavar="N",
        help="files read side by side by N job processes (default 1; each loads the models: "
        "about the number of CPU cores is the useful most)",
    )
    parser.add_argument(
        "--no-pair",
        action="store_true",
        help="ingest a LaTeX main file and the PDF of the same name beside it as two documents "
        "(default: one document, the source's equations placed on the PDF's pages)",
    )
    parser.set_defaults(func=run)
