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
from scipix_search._lazy import skip_unused_imports
from scipix_search.cli._common import add_setting_flag, settings_from_args
from scipix_search.cli._errors import (
    EXIT_INTERRUPTED,
    Parser,
    error_line,
    exit_code,
    print_error,
)
from scipix_search.config import Settings
from scipix_search.exceptions import ConfigError

logger = logging.getLogger(__name__)

# Order is the order shown in --help.
_COMMAND_MODULES = (
    "ingest",
    "search",
    "ocr",
    "convert",
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
    parser = Parser(
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


def log_level(args: argparse.Namespace, settings: Settings) -> str:
    """The level to log at: ``--log-level``/``SCIPIX_LOG_LEVEL`` when given, else the command's.

    One-shot commands (``search``, ``stats`` ...) default to WARNING, so their output is their
    results; the long-running ``serve`` and ``worker`` default to INFO.
    """
    if "log_level" in settings.model_fields_set:
        return settings.log_level
    return str(getattr(args, "default_log_level", "WARNING"))


def check_data_dir(settings: Settings) -> None:
    """Refuse a data folder that is a file before a command tries to create its database there.

    Raises:
        ConfigError: ``data_dir`` exists and is not a folder, or lies under a file.
    """
    if settings.data_dir.exists() and not settings.data_dir.is_dir():
        raise ConfigError(
            f"data folder {settings.data_dir} is a file [SCIPIX_DATA_DIR, --data-dir]",
            path=str(settings.data_dir),
        )
    # A folder under a file can never be made: a setting to fix, not a store failure.
    for parent in settings.data_dir.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(
                    f"data folder {settings.data_dir} is under a file, {parent} "
                    "[SCIPIX_DATA_DIR, --data-dir]",
                    path=str(settings.data_dir),
                )
            break


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``scipix-search`` console script.

    Returns:
        0 on success; otherwise the code :func:`~scipix_search.cli._errors.exit_code` gives the
        error (2 usage or input, 3 missing model, 4 store, 5 model failure, 70 a bug), after one
        ``error:`` line on stderr. argparse's own errors exit 2 the same way.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    skip_unused_imports()
    args = build_parser().parse_args(argv)
    try:
        args.settings = settings_from_args(args)
        check_data_dir(args.settings)
        configure_logging(log_level(args, args.settings))
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the one place every failure becomes one line
        logger.debug("command failed", exc_info=True)
        print_error(error_line(exc))
        return exit_code(exc)
