"""``scipix-search db upgrade|current``: Alembic migrations."""

from __future__ import annotations

import argparse

from scipix_search.cli._common import emit, settings_of


def run(args: argparse.Namespace) -> int:
    from scipix_search.store import current_revision, upgrade_database

    settings = settings_of(args)
    if args.action == "upgrade":
        upgrade_database(settings, args.revision)
    emit(f"database revision: {current_revision(settings)}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("db", help="database migrations")
    parser.add_argument("action", choices=["upgrade", "current"])
    parser.add_argument("revision", nargs="?", default="head")
    parser.set_defaults(func=run)
