"""``scipix-search reindex``: rebuild every FAISS index from the vectors in the database.

Not needed to repair an index: every command and server that opens one checks it against the
database and repairs it. A rebuild is one commit per index, so a kill at any point leaves the
old index or the new one.
"""

from __future__ import annotations

import argparse

from scipix_search.cli._common import emit, settings_of


def run(args: argparse.Namespace) -> int:
    from scipix_search.pipeline import Indexer

    indexer = Indexer(settings_of(args))
    for spec in indexer.index_specs():
        report = indexer.store.rebuild(spec)
        emit(f"{report.kind}: {report.total} vectors")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("reindex", help="rebuild the FAISS indexes from the database")
    parser.set_defaults(func=run)
