"""``scipix-search worker``: run ingestion jobs from the database queue."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from scipix_search.cli._common import add_setting_flag, settings_from_args, settings_of
from scipix_search.exceptions import ScipixError

logger = logging.getLogger(__name__)

# Worker flags and the settings field each one overrides (its variable is shown in --help).
_FLAGS = (
    ("--lease", "worker_lease_s", "seconds a claimed job stays locked without a heartbeat", float),
    ("--poll", "worker_poll_s", "seconds between polls of an empty queue", float),
    ("--max-attempts", "worker_max_attempts", "attempts before a job fails", int),
    ("--backoff", "worker_backoff_s", "first retry delay in seconds (doubles)", float),
    ("--job-timeout", "job_timeout_s", "seconds one job may run before it fails for good", float),
    ("--job-memory", "job_memory_mb", "MiB one job's process may hold before it fails", int),
)


def run(args: argparse.Namespace) -> int:
    from scipix_search.worker import Worker

    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        logger.info("signal %d: stopping after the current job", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    worker = Worker(settings_of(args), worker_id=args.id, stop=stop)
    worker.run(burst=args.burst)
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The worker's own flags (``scipix-search worker`` and ``python -m scipix_search.worker``)."""
    for flag, field, text, kind in _FLAGS:
        add_setting_flag(parser, flag, field, text, type=kind)
    add_setting_flag(
        parser,
        "--isolation",
        "job_isolation",
        "process: each job in a supervised child, killed at its budget; thread: in the worker",
        choices=["process", "thread"],
    )
    parser.add_argument("--id", default=None, help="worker name (default host:pid:random)")
    parser.add_argument("--burst", action="store_true", help="exit when the queue has nothing due")
    # A service logs what it does; one-shot commands default to WARNING (cli.log_level).
    parser.set_defaults(func=run, default_log_level="INFO")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("worker", help="run ingestion jobs from the database queue")
    add_arguments(parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Run only the worker (``python -m scipix_search.worker``): global and worker flags."""
    from scipix_search._lazy import skip_unused_imports
    from scipix_search.cli import add_global_flags, configure_logging
    from scipix_search.cli._errors import Parser

    skip_unused_imports()
    parser = Parser(  # usage errors are one line, as in `scipix-search`
        prog="python -m scipix_search.worker",
        description="Run ingestion jobs from the database queue (as `scipix-search worker`).",
    )
    add_global_flags(parser)
    add_arguments(parser)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    try:
        args.settings = settings_from_args(args)
    except ScipixError as exc:
        parser.error(str(exc))
    configure_logging(args.settings.log_level)
    return run(args)
