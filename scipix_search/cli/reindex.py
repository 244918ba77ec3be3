"""``scipix-search reindex``: rebuild every FAISS index from the vectors in the database, and
bring the equations' tuple index (sub-formula candidates, re-rank sketches) up to date.

Not needed to repair an index: every command and server that opens one checks it against the
database and repairs it. A rebuild is one commit per index, so a kill at any point leaves the
old index or the new one.
"""

from __future__ import annotations

import argparse

from scipix_search.cli._common import emit, settings_of


def run(args: argparse.Namespace) -> int:
    from scipix_search.pipeline import Indexer
    from scipix_search.search import EquationSearcher

    indexer = Indexer(settings_of(args))
    for spec in indexer.index_specs():
        report = indexer.store.rebuild(spec)
        emit(f"{report.kind}: {report.total} vectors")
    # Derived data too, built here in a batch job rather than by the first `serve` or search:
    # at 1M equations its first build peaked at 4.7 GiB inside `serve`, which read back a
    # built one at 1.3 GiB (benchmarks/serve_scale.py, docs/vector-indexes.md).
    searcher = EquationSearcher(indexer.store, indexer.models.formula_encoder)
    emit(f"tuples: {searcher.build_tuples().n} equations")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("reindex", help="rebuild the FAISS indexes from the database")
    parser.set_defaults(func=run)
