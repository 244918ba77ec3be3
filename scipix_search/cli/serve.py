"""``scipix-search serve``: the HTTP API and web page, with an embedded worker by default."""

from __future__ import annotations

import argparse
import os

from scipix_search.cli._common import add_setting_flag, env_help, int_between, settings_of


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from scipix_search.api import create_app

    app = create_app(settings_of(args))
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run the HTTP API and web page")
    parser.add_argument(
        "--host",
        default=os.environ.get("SCIPIX_HOST", "127.0.0.1"),
        help=env_help("address to listen on", "SCIPIX_HOST"),
    )
    parser.add_argument(
        "--port",
        type=int_between(0, 65535, "(port)"),
        # A string: argparse converts it with ``type``, so a bad SCIPIX_PORT is one error line.
        default=os.environ.get("SCIPIX_PORT", "8000"),
        help=env_help("port", "SCIPIX_PORT"),
    )
    add_setting_flag(
        parser, "--api-keys", "api_keys", "comma-separated API keys (write endpoints need one)"
    )
    add_setting_flag(
        parser, "--max-upload-bytes", "max_upload_bytes", "upload size limit in bytes", type=int
    )
    add_setting_flag(
        parser,
        "--request-timeout",
        "request_timeout_s",
        "time limit of one request in seconds",
        type=float,
    )
    add_setting_flag(
        parser,
        "--no-worker",
        "embedded_worker",
        "do not run the embedded ingestion worker",
        action="store_const",
        const=False,
    )
    add_setting_flag(
        parser,
        "--require-key-for-reads",
        "require_key_for_reads",
        "require an API key on every endpoint",
        action="store_const",
        const=True,
    )
    # A service logs what it does; one-shot commands default to WARNING (cli.log_level).
    parser.set_defaults(func=run, default_log_level="INFO")
