"""A real API server and real workers in subprocesses, for end-to-end tests and load benchmarks.

Public (no underscore) because ``tests/e2e`` and ``benchmarks/api_load.py`` both start servers
and neither may import the other. Nothing in the service imports this module.

Example:
    >>> server = start_server(tmp / "data")  # doctest: +SKIP
    >>> server.client().get("/readyz").status_code  # doctest: +SKIP
    200
    >>> server.stop()  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

import scipix_search

logger = logging.getLogger(__name__)

#: The folder that holds the ``scipix_search`` package (the checkout root in a development install).
PACKAGE_ROOT = Path(scipix_search.__file__).resolve().parents[1]
API_KEY = "test-key-123"
"""The API key the servers started here accept (``SCIPIX_API_KEYS``)."""

SAMPLE_PAPER_TEX = rb"""\documentclass{article}
\title{Right Triangles and the Energy of Mass}
\begin{document}
\maketitle
\section{Introduction}
The Pythagorean theorem relates the three sides of a right triangle in the plane.
\begin{equation}\label{eq:pyth}
a^{2}+b^{2}=c^{2}
\end{equation}
Mass and energy are related by a famous formula of special relativity.
\begin{equation}\label{eq:energy}
E=mc^{2}
\end{equation}
The Gaussian integral is another classic result.
\begin{equation}
\int_{-\infty}^{\infty} e^{-x^{2}}\,dx=\sqrt{\pi}
\end{equation}
\end{document}
"""
"""A three-equation LaTeX paper to upload to a live server."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    """The environment of a server or worker: this process's, without its ``SCIPIX_*``
    variables, plus the data folder, :data:`API_KEY`, no overall rate limit, offline Hugging
    Face and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCIPIX_")}
    env.update(
        SCIPIX_DATA_DIR=str(data_dir),
        SCIPIX_API_KEYS=API_KEY,
        SCIPIX_LOG_LEVEL="INFO",
        # A load benchmark is a flood by design: the overall per-client limit would measure
        # itself (the expensive-endpoint limit stays; a test sets its own limits in ``extra``).
        SCIPIX_RATE_LIMIT="",
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(PACKAGE_ROOT),
    )
    if "SCIPIX_MODEL_DIR" in os.environ:
        env["SCIPIX_MODEL_DIR"] = os.environ["SCIPIX_MODEL_DIR"]
    if database_url:
        env["SCIPIX_DATABASE_URL"] = database_url
    env.update(extra)
    return env


@dataclass
class LiveServer:
    """A uvicorn subprocess serving ``create_app()`` on 127.0.0.1."""

    url: str
    proc: subprocess.Popen[bytes]
    data_dir: Path
    env: dict[str, str]
    log: Path
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, *, key: str | None = API_KEY, timeout: float = 60) -> httpx.Client:
        """An HTTP client of this server (closed by :meth:`stop`)."""
        headers = {"X-API-Key": key} if key else {}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)
        self.clients.append(client)
        return client

    def stop(self) -> None:
        """Close the clients, then stop the server (SIGTERM, SIGKILL after 20 s)."""
        for client in self.clients:
            client.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's log."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def start_server(
    data_dir: Path, database_url: str | None = None, *, cli: bool = False, **extra: str
) -> LiveServer:
    """Start uvicorn on a free port and wait until ``/readyz`` answers 200.

    Args:
        data_dir: the server's ``SCIPIX_DATA_DIR`` (created); its log goes beside it.
        database_url: ``SCIPIX_DATABASE_URL``; ``None`` for SQLite in ``data_dir``.
        cli: start it as ``scipix-search serve`` (which tells CLI processes of the data folder
            where it listens) rather than as ``uvicorn --factory``.
        **extra: more environment variables (``SCIPIX_...=value``).

    Returns:
        The running server.

    Raises:
        RuntimeError: the server exited, or was not ready within 90 s (with its log's end).
    """
    port = free_port()
    env = server_env(data_dir, database_url, **extra)
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"server-{port}.log"
    app = (
        ["scipix_search.cli", "serve"]
        if cli
        else ["uvicorn", "scipix_search.api.app:create_app", "--factory"]
    )
    cmd = [sys.executable, "-m", *app, "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            cmd, env=env, cwd=PACKAGE_ROOT, stdout=handle, stderr=subprocess.STDOUT
        )
    server = LiveServer(f"http://127.0.0.1:{port}", proc, data_dir, env, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server not ready in 90 s:\n{server.log_tail()}")


def start_worker(env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """Start ``python -m scipix_search.worker`` with ``env``, appending to ``log``."""
    with log.open("ab") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "scipix_search.worker", *extra],
            env=env,
            cwd=PACKAGE_ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )


def wait_for_job(client: httpx.Client, job_id: int, timeout: float = 90) -> dict[str, Any]:
    """Poll a job until it succeeds or fails.

    Returns:
        The job's last state (``status`` is ``"succeeded"`` or ``"failed"``).

    Raises:
        TimeoutError: the job is still queued or running after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise TimeoutError(f"job {job_id} still {job.get('status')} after {timeout} s: {job}")
