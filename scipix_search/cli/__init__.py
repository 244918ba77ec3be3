"""The ``scipix-search`` command line.

Each sub-command lives in its own module under ``scipix_search/cli/`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (``args -> exit code``).
Logging is configured here and nowhere else in the package.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from scipix_search import __version__
from scipix_search.config import get_settings
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

# Global flags and the environment variable each one sets (shown in --help).
_GLOBAL_FLAGS = (
    ("--data-dir", "SCIPIX_DATA_DIR", "folder holding the database and FAISS indexes"),
    ("--database-url", "SCIPIX_DATABASE_URL", "SQLAlchemy URL (default: SQLite in the data dir)"),
    ("--model-dir", "SCIPIX_MODEL_DIR", "folder of the exported ONNX models"),
    ("--device", "SCIPIX_DEVICE", "auto, cpu or cuda"),
    ("--log-level", "SCIPIX_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR"),
)


def env_help(text: str, envvar: str) -> str:
    """Help text that names the environment variable behind a flag."""
    return f"{text} [env: {envvar}]"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scipix-search",
        description="Search scientific papers by equation and by meaning.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    for flag, envvar, text in _GLOBAL_FLAGS:
        parser.add_argument(flag, default=None, help=env_help(text, envvar))
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"scipix_search.cli.{name}")
        module.register(subparsers)
    return parser


def _apply_global_flags(args: argparse.Namespace) -> None:
    for flag, envvar, _ in _GLOBAL_FLAGS:
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value is not None:
            os.environ[envvar] = value
    get_settings.cache_clear()


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
    parser = build_parser()
    args = parser.parse_args(argv)
    _apply_global_flags(args)
    configure_logging(get_settings().log_level)
    try:
        return int(args.func(args) or 0)
    except ScipixError as exc:
        logger.debug("command failed", exc_info=True)
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - the CLI's own error line
        return 2
    except KeyboardInterrupt:
        return 130
