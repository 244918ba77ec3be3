"""A running ``serve`` found by the CLI: its discovery file, and requests sent to it.

``serve`` writes ``<data dir>/serve.json`` (its pid, address, data folder, a digest of its
database URL, model folder and version) once it listens, and removes it when it stops. ``search``
reads it (:func:`find_server`): when that process is alive, serves this data folder, database and
model folder at this version, and answers ``/readyz`` within :data:`PROBE_TIMEOUT_S`, the query
goes to it over HTTP, where the models are already loaded, instead of loading them here (3-7 s
of every query otherwise). Anything else (no file, a file left by a killed server, another
version, a server still loading, one that wants a key this side has not got) leaves the search
to this process, and the reason is logged at INFO (``--log-level INFO`` shows it).

The client is the standard library's ``urllib``: a query sent to a server must not pay for
importing an HTTP library (httpx costs more than the whole rest of such a process).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scipix_search import __version__
from scipix_search.config import Settings

logger = logging.getLogger(__name__)

DISCOVERY_FILE = "serve.json"
#: How long a health probe may take before the query runs here instead (a local server that
#: is up answers ``/readyz`` in milliseconds).
PROBE_TIMEOUT_S = 0.5


# No proxy: the server is this machine's (an http_proxy variable would send loopback through it).
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def discovery_path(settings: Settings) -> Path:
    return settings.data_dir / DISCOVERY_FILE


def _identity(settings: Settings) -> dict[str, str]:
    """What a client must share with a server to get the answers it would compute itself.

    The database URL is kept as a digest: the file must not hold a password.
    """
    return {
        "data_dir": str(settings.data_dir.resolve()),
        "database": hashlib.sha256(settings.resolved_database_url.encode()).hexdigest(),
        "model_dir": str(settings.model_dir.resolve()),
        "version": __version__,
    }


def write_discovery(settings: Settings, host: str, port: int) -> Path:
    """Tell CLI processes of this data folder where this server listens (atomic replace).

    Returns:
        The file's path, for :func:`remove_discovery`.
    """
    path = discovery_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"pid": os.getpid(), "host": host, "port": port, **_identity(settings)}
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    temp.write_text(json.dumps(record))
    os.replace(temp, path)
    return path


def remove_discovery(path: Path) -> None:
    """Remove the discovery file when it is still this process's (another ``serve`` of the
    same folder may have replaced it since)."""
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass  # gone already, or not ours to remove


@dataclass(frozen=True, slots=True)
class Server:
    """A running server of this data folder: its base URL and the key to send (if any)."""

    url: str
    key: str | None = None


class ServerError(Exception):
    """The server answered a request with an error status (its ``reason`` in the message)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _url(host: str, port: int) -> str:
    # A server listening on every address is reached on loopback.
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def find_server(settings: Settings) -> Server | None:
    """The ``serve`` of this data folder to send queries to, or None (reason logged at INFO)."""
    path = discovery_path(settings)
    try:
        record = json.loads(path.read_text())
        pid, host, port = int(record["pid"]), str(record["host"]), int(record["port"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        logger.info("ignoring %s: unreadable (%s)", path, exc)
        return None
    if not _alive(pid):
        logger.info("ignoring %s: server process %d is gone", path, pid)
        return None
    mine = _identity(settings)
    differs = [key for key, value in mine.items() if record.get(key) != value]
    if differs:
        logger.info("not using the server on port %d: its %s differ", port, ", ".join(differs))
        return None
    server = Server(_url(host, port), next(iter(sorted(settings.keys)), None))
    try:
        request(server, "GET", "/readyz", timeout=PROBE_TIMEOUT_S)
    except (ServerError, OSError) as exc:
        logger.info("not using the server at %s: not ready (%s)", server.url, exc)
        return None
    return server


def request(
    server: Server,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
    fields: dict[str, str] | None = None,
    file: tuple[str, str, bytes] | None = None,
    timeout: float,
) -> dict[str, Any]:
    """One request to the server; its JSON answer.

    Args:
        server: The server.
        method: ``GET`` or ``POST``.
        path: The path, e.g. ``/v1/search/equations``.
        params: Query parameters (``None`` values left out).
        body: A JSON body.
        fields: Form fields sent with ``file``.
        file: ``(field, filename, bytes)`` sent as a multipart form.
        timeout: Seconds to wait for the answer.

    Raises:
        ServerError: the server answered with an error status.
        OSError: it could not be reached, or did not answer in time (``URLError`` is one).
    """
    query = urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v is not None})
    headers = {"Accept": "application/json"}
    if server.key:
        headers["X-API-Key"] = server.key
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif file is not None:
        data, headers["Content-Type"] = _multipart(fields or {}, file)
    url = server.url + path + (f"?{query}" if query else "")
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with _OPENER.open(req, timeout=timeout) as answer:
            return dict(json.loads(answer.read()))
    except urllib.error.HTTPError as exc:
        try:
            reason = str(json.loads(exc.read()).get("reason") or exc.reason)
        except (ValueError, AttributeError):
            reason = str(exc.reason)
        raise ServerError(exc.code, reason) from exc


def _multipart(fields: dict[str, str], file: tuple[str, str, bytes]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body of ``fields`` and one file, and its content type."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    field, filename, content = file
    quoted = filename.replace('"', "%22").replace("\r", " ").replace("\n", " ")
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{quoted}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
