"""Helpers for end-to-end tests: images to upload, and the live server of
``scipix_search.api.testing`` (a real uvicorn server and real workers in subprocesses, shared with
``benchmarks/api_load.py``)."""

from __future__ import annotations

import io
from pathlib import Path

import pymupdf
from PIL import Image

from scipix_search.api.testing import (
    API_KEY,
    LiveServer,
    start_server,
    start_worker,
    wait_for_job,
)
from scipix_search.api.testing import SAMPLE_PAPER_TEX as PAPER_TEX

__all__ = [
    "API_KEY",
    "PAPER_TEX",
    "ROOT",
    "SAMPLES",
    "LiveServer",
    "bomb_png",
    "formula_png",
    "serve_sample_paper",
    "start_server",
    "start_worker",
    "wait_for_job",
]

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


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


def serve_sample_paper(data_dir: Path, *, cli: bool = False) -> LiveServer:
    """A live server (``cli``: started as ``scipix-search serve``) holding :data:`PAPER_TEX`,
    ingested by its worker."""
    live = start_server(data_dir, None, cli=cli)
    client = live.client()
    answer = client.post(
        "/v1/documents", files={"file": ("triangles.tex", PAPER_TEX, "application/x-tex")}
    )
    job = wait_for_job(client, answer.json()["job"]["id"])
    if job["status"] != "succeeded":
        live.stop()
        raise RuntimeError(f"the sample paper was not ingested: {job}")
    return live
