"""Helpers for end-to-end tests: a real uvicorn server and real workers in subprocesses."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pymupdf
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
API_KEY = "test-key-123"

PAPER_TEX = rb"""\documentclass{article}
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(data_dir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCIPIX_")}
    env.update(
        SCIPIX_DATA_DIR=str(data_dir),
        SCIPIX_API_KEYS=API_KEY,
        SCIPIX_LOG_LEVEL="INFO",
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(ROOT),
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
        headers = {"X-API-Key": key} if key else {}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)
        self.clients.append(client)
        return client

    def stop(self) -> None:
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
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def start_server(data_dir: Path, database_url: str | None, **extra: str) -> LiveServer:
    """Start uvicorn on a free port and wait until ``/readyz`` answers 200."""
    port = free_port()
    env = base_env(data_dir, database_url, **extra)
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"server-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "scipix_search.api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log.open("wb") as handle:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
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
    """Start ``python -m scipix_search.worker`` with ``env``."""
    with log.open("ab") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "scipix_search.worker", *extra],
            env=env,
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )


def wait_for_job(client: httpx.Client, job_id: int, timeout: float = 90) -> dict:
    """Poll a job until it succeeds or fails; returns its last state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s: {job}")


def formula_png(text: str = "a+b=c", fontsize: float = 30, dpi: int = 150) -> bytes:
    """A rendered formula image (PyMuPDF Times-Italic, dark on white) as PNG bytes."""
    page = pymupdf.open().new_page(width=40 + fontsize * len(text) * 0.6, height=fontsize * 2.5)
    page.insert_text((10, fontsize * 1.6), text, fontname="Times-Italic", fontsize=fontsize)
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def bomb_png(side: int = 30_000) -> bytes:
    """A tiny PNG whose header declares ``side x side`` pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * side
    compressor = zlib.compressobj(9)
    idat = compressor.compress(row * 64) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
