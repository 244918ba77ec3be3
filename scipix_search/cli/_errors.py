"""How the command line fails: one line on stderr and an exit code that says what went wrong.

A user never sees a traceback: :func:`exit_code` and :func:`error_line` turn the package's
exceptions (:mod:`scipix_search.exceptions`), file errors and database errors into one line each
(the traceback is logged at DEBUG, ``--log-level DEBUG`` shows it), and :class:`Parser` makes
argparse's usage errors one line too (``--help`` still prints the full usage).
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from scipix_search.exceptions import (
    ConfigError,
    IndexStoreError,
    InputError,
    MissingDependencyError,
    ModelNotFoundError,
    ScipixError,
    StoreError,
)

#: Some inputs of a batch (``ingest``, ``ocr``) failed; the command still ran.
EXIT_PARTIAL = 1
#: The command line, a setting or an input is wrong: the user can fix it.
EXIT_USAGE = 2
#: A model or an optional dependency is missing (``scipix-search models build``, an extra).
EXIT_MISSING = 3
#: The database or an index failed, is unreachable, or holds nothing to search.
EXIT_STORE = 4
#: A model failed on a valid input (OCR, embeddings).
EXIT_MODEL = 5
#: A bug: an exception nobody raised on purpose.
EXIT_INTERNAL = 70
#: Interrupted (Ctrl-C), as shells report SIGINT.
EXIT_INTERRUPTED = 130

#: Longest message printed; the rest is cut (a long parse error stays one readable line).
MAX_MESSAGE = 400


def _is_database_error(exc: BaseException) -> bool:
    # sqlalchemy and alembic are imported lazily (``--version`` must not pay for them), so their
    # exception classes are recognised by module instead of imported here.
    module = type(exc).__module__
    return module.startswith(("sqlalchemy.", "alembic."))


def exit_code(exc: BaseException) -> int:
    """The exit code of a command that raised ``exc``."""
    if isinstance(exc, InputError | ConfigError):
        return EXIT_USAGE
    if isinstance(exc, ModelNotFoundError | MissingDependencyError):
        return EXIT_MISSING
    if isinstance(exc, StoreError | IndexStoreError) or _is_database_error(exc):
        return EXIT_STORE
    if isinstance(exc, ScipixError):
        return EXIT_MODEL
    if isinstance(exc, OSError):
        return EXIT_USAGE
    return EXIT_INTERNAL


def one_line(text: str) -> str:
    """``text`` on one line (white space runs collapsed), cut to :data:`MAX_MESSAGE` characters."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 1] + "…"


def error_line(exc: BaseException) -> str:
    """The one line printed for ``exc`` (without the ``error:`` prefix)."""
    if isinstance(exc, ScipixError):
        return one_line(exc.message)
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else ""
        return one_line(f"{where}: {exc.strerror}" if where else exc.strerror)
    if _is_database_error(exc):
        # SQLAlchemy appends its documentation link and the statement on further lines.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return one_line(f"database: {first}")
    if exit_code(exc) == EXIT_INTERNAL:
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return one_line(f"internal error ({detail}); --log-level DEBUG shows where")
    return one_line(str(exc) or type(exc).__name__)


def print_error(message: str) -> None:
    """Write the CLI's one error line to stderr."""
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are one line (sub-command parsers inherit it).

    Example:
        >>> Parser(prog="demo").parse_args(["--nope"])  # doctest: +SKIP
        error: demo: unrecognized arguments: --nope (see demo --help)
    """

    def error(self, message: str) -> NoReturn:
        print_error(one_line(f"{self.prog}: {message} (see {self.prog} --help)"))
        raise SystemExit(EXIT_USAGE)
