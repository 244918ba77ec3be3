"""``scipix-search stats``: row counts, index sizes, and whether they agree."""

from __future__ import annotations

import argparse

from scipix_search.cli._common import emit, emit_json, settings_of
from scipix_search.config import Settings


def collect_stats(settings: Settings) -> dict[str, object]:
    from scipix_search.pipeline import Indexer
    from scipix_search.store import repo

    indexer = Indexer(settings)
    with indexer.store.session() as session:
        counts = repo.count_rows(session=session)
    indexes = {}
    for spec in indexer.index_specs():
        index = indexer.store.open_index(spec)
        stored = counts["passage_vectors" if spec.kind == "passages" else "equation_vectors"]
        indexes[spec.kind] = {
            "vectors": index.ntotal,
            "db_vectors": stored,
            "in_sync": index.ntotal == stored,
            "encoder": spec.encoder,
        }
    return {"database": counts, "indexes": indexes}


def run(args: argparse.Namespace) -> int:
    stats = collect_stats(settings_of(args))
    if args.json:
        emit_json(stats)
        return 0
    for key, value in stats["database"].items():  # type: ignore[union-attr]
        emit(f"{key:>18}: {value}")
    for kind, info in stats["indexes"].items():  # type: ignore[union-attr]
        state = "in sync" if info["in_sync"] else "OUT OF SYNC (run `scipix-search reindex`)"
        emit(f"{kind + ' index':>18}: {info['vectors']} vectors, {state}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("stats", help="database rows and index sizes")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)
