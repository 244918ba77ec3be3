"""A PDF page as RGB pixels: the one rasteriser of scans, page OCR, calibration and evaluation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pymupdf


def render_page(page: Any, dpi: int) -> np.ndarray:
    """A PyMuPDF page as ``HxWx3`` uint8 RGB pixels at ``dpi`` (no alpha)."""
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB)
    pixels = np.frombuffer(pixmap.samples, dtype=np.uint8)
    return pixels.reshape(pixmap.height, pixmap.width, pixmap.n)[:, :, :3]
