"""Scans made from born-digital pages: what a scanner or a phone does to a page, reproducibly.

The benchmark (``benchmarks/scans.py``) and the tests degrade rendered pages the same way:
a small random turn, optics blur, sensor noise and JPEG compression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pymupdf

from scipix_search.ingest import render_page
from scipix_search.ocr import ScanOptions, TextLine, degrade_page

__all__ = ["ScanOptions", "degrade_page", "scan_pdf", "text_layer_lines"]


def scan_pdf(
    pdf: Path,
    pages: Sequence[int],
    dpi: int,
    seed: int,
    *,
    skew: float = 1.0,
    jpeg: int = 75,
    options: ScanOptions | None = None,
) -> bytes:
    """An image-only PDF of ``pages`` (0-based) of ``pdf``, each a :func:`degrade_page` JPEG
    (or bilevel PNG) of the page at ``dpi`` on a page of the original's size (boxes in points
    still match). ``options``, when given, says the whole degradation (``skew`` and ``jpeg``
    are then not read)."""
    options = options or ScanOptions(skew=skew, jpeg=jpeg)
    rng = np.random.default_rng(seed)
    out = pymupdf.open()
    with pymupdf.open(pdf) as document:
        for page in pages:
            scan = degrade_page(render_page(document[page], dpi), dpi, rng, **asdict(options))
            rect = document[page].rect
            out.new_page(width=rect.width, height=rect.height).insert_image(
                pymupdf.Rect(0, 0, rect.width, rect.height), stream=scan
            )
    data: bytes = out.tobytes()
    out.close()
    return data


def text_layer_lines(page: pymupdf.Page, dpi: int) -> list[TextLine]:
    """The page's text-layer lines as the text OCR would give them at ``dpi`` (boxes in
    pixels, top to bottom): a stand-in for the OCR where its cost is not what is measured."""
    scale = dpi / 72
    lines = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            text = "".join(span["text"] for span in line["spans"]).strip()
            if text:
                box = tuple(v * scale for v in line["bbox"])
                lines.append(TextLine(text, box, 1.0))
    return sorted(lines, key=lambda line: (line.bbox[1], line.bbox[0]))
