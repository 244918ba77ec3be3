"""``scipix-search serve``: the HTTP API and web page, with an embedded worker by default.

While it runs, ``<data dir>/serve.json`` says where (``cli/_server.py``): ``search`` in the same
data folder sends its queries here rather than loading the models itself."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from scipix_search.cli._common import add_setting_flag, env_help, int_between, settings_of


def run(args: argparse.Namespace) -> int:
    import socket

    import uvicorn

    from scipix_search.api import create_app
    from scipix_search.cli._server import remove_discovery, write_discovery

    settings = settings_of(args)

    class Server(uvicorn.Server):
        """uvicorn's server, writing the discovery file once it serves and removing it as it
        stops: in ``shutdown``, because after a SIGTERM uvicorn raises the signal again once
        it has stopped, and that ends the process before any ``finally`` of this function."""

        discovery: Path | None = None

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started and sockets:
                port = int(sockets[0].getsockname()[1])  # ``--port 0``: the one picked
                self.discovery = write_discovery(settings, args.host, port)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            if self.discovery is not None:
                remove_discovery(self.discovery)
            await super().shutdown(sockets)

    config = uvicorn.Config(
        create_app(settings), host=args.host, port=args.port, log_config=None, access_log=False
    )
    # Bound here rather than by uvicorn, so the port it got is known to the discovery file.
    sock = config.bind_socket()
    Server(config).run(sockets=[sock])
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
