"""``scipix-search stats``: row counts, index sizes, and whether they agree; ``--documents``
lists the papers (title, authors, year, identifiers)."""

from __future__ import annotations

import argparse
from typing import Any, TypedDict

from scipix_search.cli._common import emit, emit_json, settings_of
from scipix_search.config import Settings


class IndexStats(TypedDict):
    vectors: int
    db_vectors: int
    in_sync: bool
    encoder: str | None  # None before the index's first save


class Stats(TypedDict):
    database: dict[str, int]
    indexes: dict[str, IndexStats]


def collect_stats(settings: Settings) -> Stats:
    """Row counts and each index's vector count (from its manifest), compared.

    No model is loaded and FAISS is not imported: ``stats`` answers in well under a second. The
    default SQLite store at the current schema is counted with plain ``sqlite3``
    (``store.quick_counts``), which spares the process SQLAlchemy's import; any other store,
    or one to create or migrate, goes through the ``Store`` as every command does.
    """
    from scipix_search.store import KINDS, VectorIndex, quick_counts

    counts = quick_counts(settings)
    if counts is None:
        from scipix_search.store import Store, repo

        with Store(settings).session() as session:
            counts = repo.count_rows(session=session)
    indexes: dict[str, IndexStats] = {}
    for kind in KINDS:
        meta = VectorIndex.read_meta(settings.index_dir / kind)
        vectors = meta.count if meta else 0
        stored = counts["passage_vectors" if kind == "passages" else "equation_vectors"]
        indexes[kind] = {
            "vectors": vectors,
            "db_vectors": stored,
            "in_sync": vectors == stored,
            "encoder": meta.encoder if meta else None,
        }
    return {"database": counts, "indexes": indexes}


def _documents(settings: Settings, as_json: bool) -> int:
    """Every stored document, oldest first: what the paper says about itself."""
    from scipix_search.store import Store, repo

    rows: list[dict[str, Any]] = []
    with Store(settings).session() as session:
        while batch := repo.list_documents(session=session, offset=len(rows), limit=500):
            rows.extend(
                {
                    "id": d.id,
                    "source": d.source,
                    "title": d.title,
                    "authors": d.author_list,
                    "year": d.year,
                    "arxiv_id": d.arxiv_id,
                    "doi": d.doi,
                    "duplicate_of": d.duplicate_of,
                }
                for d in batch
            )
    if as_json:
        emit_json({"documents": rows})
        return 0
    for row in rows:
        names = ", ".join(row["authors"][:3]) + (" et al." if len(row["authors"]) > 3 else "")
        ids = " ".join(
            f"{label}:{row[key]}"
            for label, key in (("arXiv", "arxiv_id"), ("doi", "doi"))
            if row[key]
        )
        same = f" [another build of {row['duplicate_of']}]" if row["duplicate_of"] else ""
        emit(f"{row['id']:>5}. {row['title'] or row['source']}{same}")
        emit(f"       {names or '-'} · {row['year'] or '-'} · {row['source']} {ids}".rstrip())
    return 0


def run(args: argparse.Namespace) -> int:
    if args.documents:
        return _documents(settings_of(args), args.json)
    stats = collect_stats(settings_of(args))
    if args.json:
        emit_json(stats)
        return 0
    for key, value in stats["database"].items():
        emit(f"{key:>18}: {value}")
    for kind, info in stats["indexes"].items():
        # Any command that opens the index (serve, worker, search, ingest) repairs it from the
        # database; `reindex` does it now.
        state = (
            "in sync"
            if info["in_sync"]
            else "OUT OF SYNC (repaired at its next open, or now by `scipix-search reindex`)"
        )
        emit(f"{kind + ' index':>18}: {info['vectors']} vectors, {state}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("stats", help="database rows and index sizes")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--documents",
        action="store_true",
        help="list the stored papers: title, authors, year, arXiv id, DOI "
        "(e.g. scipix-search stats --documents)",
    )
    parser.set_defaults(func=run)
