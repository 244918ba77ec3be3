"""``scipix-search worker``: run ingestion jobs from the database queue."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

from scipix_search.config import get_settings

logger = logging.getLogger(__name__)

_FLAGS = (
    ("--lease", "SCIPIX_WORKER_LEASE_S", "seconds a claimed job stays locked without a heartbeat"),
    ("--poll", "SCIPIX_WORKER_POLL_S", "seconds between polls of an empty queue"),
    ("--max-attempts", "SCIPIX_WORKER_MAX_ATTEMPTS", "attempts before a job fails"),
    ("--backoff", "SCIPIX_WORKER_BACKOFF_S", "first retry delay in seconds (doubles)"),
)


def run(args: argparse.Namespace) -> int:
    from scipix_search.config import get_settings as get_api_settings
    from scipix_search.worker import Worker

    for flag, envvar, _ in _FLAGS:
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value is not None:
            os.environ[envvar] = str(value)
    get_api_settings.cache_clear()
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        logger.info("signal %d: stopping after the current job", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    worker = Worker(get_settings(), get_api_settings(), worker_id=args.id, stop=stop)
    worker.run(burst=args.burst)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    from scipix_search.cli import env_help

    parser = subparsers.add_parser("worker", help="run ingestion jobs from the database queue")
    for flag, envvar, text in _FLAGS:
        parser.add_argument(flag, default=None, help=env_help(text, envvar))
    parser.add_argument("--id", default=None, help="worker name (default host:pid:random)")
    parser.add_argument("--burst", action="store_true", help="exit when the queue has nothing due")
    parser.set_defaults(func=run)


def main(argv: Sequence[str] | None = None) -> int:
    """Run only the worker sub-command (``python -m scipix_search.worker``)."""
    from scipix_search.cli import _GLOBAL_FLAGS, _apply_global_flags, configure_logging, env_help

    parser = argparse.ArgumentParser(prog="scipix-search")
    for flag, envvar, text in _GLOBAL_FLAGS:
        parser.add_argument(flag, default=None, help=env_help(text, envvar))
    sub = parser.add_subparsers(dest="command")
    register(sub)
    args = parser.parse_args(["worker", *(argv if argv is not None else sys.argv[1:])])
    _apply_global_flags(args)
    configure_logging(get_settings().log_level)
    return run(args)
