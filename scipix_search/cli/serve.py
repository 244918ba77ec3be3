"""``scipix-search serve``: the HTTP API and web page, with an embedded worker by default."""

from __future__ import annotations

import argparse
import os

_FLAGS = (
    ("--api-keys", "SCIPIX_API_KEYS", "comma-separated API keys (write endpoints need one)"),
    ("--max-upload-bytes", "SCIPIX_MAX_UPLOAD_BYTES", "upload size limit in bytes"),
    ("--request-timeout", "SCIPIX_REQUEST_TIMEOUT_S", "time limit of one request in seconds"),
)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from scipix_search.api import create_app, get_api_settings

    for flag, envvar, _ in _FLAGS:
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value is not None:
            os.environ[envvar] = str(value)
    if args.no_worker:
        os.environ["SCIPIX_EMBEDDED_WORKER"] = "false"
    if args.require_key_for_reads:
        os.environ["SCIPIX_REQUIRE_KEY_FOR_READS"] = "true"
    get_api_settings.cache_clear()
    uvicorn.run(create_app(), host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    from scipix_search.cli import env_help

    parser = subparsers.add_parser("serve", help="run the HTTP API and web page")
    parser.add_argument(
        "--host",
        default=os.environ.get("SCIPIX_HOST", "127.0.0.1"),
        help=env_help("address to listen on", "SCIPIX_HOST"),
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("SCIPIX_PORT", "8000")),
        help=env_help("port", "SCIPIX_PORT"),
    )
    for flag, envvar, text in _FLAGS:
        parser.add_argument(flag, default=None, help=env_help(text, envvar))
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help=env_help("do not run the embedded ingestion worker", "SCIPIX_EMBEDDED_WORKER=false"),
    )
    parser.add_argument(
        "--require-key-for-reads",
        action="store_true",
        help=env_help("require an API key on every endpoint", "SCIPIX_REQUIRE_KEY_FOR_READS"),
    )
    parser.set_defaults(func=run)
