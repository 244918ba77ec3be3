"""The ``scipix-search`` command line.

Each sub-command lives in its own module under ``scipix_search/cli/`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (``args -> exit code``).
:func:`main` builds one ``Settings`` (the environment, with the flags that stand for settings
fields on top) and hands it to the command as ``args.settings``. Logging is configured here and
in the worker's entry point, nowhere else in the package.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from scipix_search import __version__
from scipix_search.cli._common import add_setting_flag, settings_from_args
from scipix_search.exceptions import ScipixError

logger = logging.getLogger(__name__)

# Order is the order shown in --help.
_COMMAND_MODULES = (
    "ingest",
    "search",
    "ocr",
    "serve",
    "worker",
    "reindex",
    "stats",
    "db",
    "models",
    "demo",
)

# Global flags and the settings field each one overrides (its variable is shown in --help).
GLOBAL_FLAGS = (
    ("--data-dir", "data_dir", "folder holding the database and FAISS indexes"),
    ("--database-url", "database_url", "SQLAlchemy URL (default: SQLite in the data dir)"),
    ("--model-dir", "model_dir", "folder of the exported ONNX models"),
    ("--device", "device", "auto, cpu or cuda"),
    ("--log-level", "log_level", "DEBUG, INFO, WARNING or ERROR"),
)


def add_global_flags(parser: argparse.ArgumentParser) -> None:
    """Add the flags every command takes (data folder, database, models, device, logging)."""
    for flag, field, text in GLOBAL_FLAGS:
        add_setting_flag(parser, flag, field, text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scipix-search",
        description="Search scientific papers by equation and by meaning.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_global_flags(parser)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"scipix_search.cli.{name}")
        module.register(subparsers)
    return parser


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Model libraries are chatty at INFO; their warnings still show.
    for noisy in ("httpx", "sentence_transformers", "transformers", "faiss", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``scipix-search`` console script."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = build_parser().parse_args(argv)
    try:
        args.settings = settings_from_args(args)
        configure_logging(args.settings.log_level)
        return int(args.func(args) or 0)
    except ScipixError as exc:
        logger.debug("command failed", exc_info=True)
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - the CLI's own error line
        return 2
    except KeyboardInterrupt:
        return 130
