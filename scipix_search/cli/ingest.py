"""``scipix-search ingest PATH...``: files and folders (recursive) into the store."""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from scipix_search.cli._common import emit, emit_json, settings_of
from scipix_search.ingest import collect_files, pair_sources

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    from scipix_search.pipeline import Indexer

    files, missing = collect_files([Path(p) for p in args.paths])
    items = [(f, None) for f in files] if args.no_pair else pair_sources(files)
    indexer = Indexer(settings_of(args))
    indexer.sync_indexes()
    counts: Counter[str] = Counter()
    failures = list(missing)
    counts["failed"] += len(missing)
    for path, pdf in tqdm(items, desc="ingest", unit="file", disable=args.json or None):
        outcome = indexer.ingest_file(path) if pdf is None else indexer.ingest_pair(path, pdf)
        counts[outcome.status] += 1
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
                }
            )
    if not args.json:
        emit(
            f"added {counts['added']}, already present {counts['present']}, "
            f"failed {counts['failed']}"
        )
        for reason in failures:
            emit(f"  failed: {reason}")
    return 1 if counts["failed"] and not (counts["added"] or counts["present"]) else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest", help="ingest PDFs, images, LaTeX sources and formula lists (files or folders)"
    )
    parser.add_argument("paths", nargs="+", help="files or folders (searched recursively)")
    parser.add_argument("--json", action="store_true", help="one JSON line per file")
    parser.add_argument(
        "--no-pair",
        action="store_true",
        help="ingest a LaTeX main file and the PDF of the same name beside it as two documents "
        "(default: one document, the source's equations placed on the PDF's pages)",
    )
    parser.set_defaults(func=run)
