"""``scipix-search stats``: row counts, index sizes, and whether they agree."""

from __future__ import annotations

import argparse
from typing import TypedDict

from scipix_search.cli._common import emit, emit_json, settings_of
from scipix_search.config import Settings


class IndexStats(TypedDict):
    vectors: int
    db_vectors: int
    in_sync: bool
    encoder: str


class Stats(TypedDict):
    database: dict[str, int]
    indexes: dict[str, IndexStats]


def collect_stats(settings: Settings) -> Stats:
    from scipix_search.pipeline import Indexer
    from scipix_search.store import repo

    indexer = Indexer(settings)
    with indexer.store.session() as session:
        counts = repo.count_rows(session=session)
    indexes: dict[str, IndexStats] = {}
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
    for key, value in stats["database"].items():
        emit(f"{key:>18}: {value}")
    for kind, info in stats["indexes"].items():
        state = "in sync" if info["in_sync"] else "OUT OF SYNC (run `scipix-search reindex`)"
        emit(f"{kind + ' index':>18}: {info['vectors']} vectors, {state}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("stats", help="database rows and index sizes")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)
