"""Render a PDF page (or a region of it) to PNG, with an optional highlighted box."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from scipix_search.api.errors import InvalidParameterError
from scipix_search.exceptions import CorruptInputError, InputError, NotFoundError, ScipixError

MAX_RENDER_PIXELS = 4_000_000
MARGIN_X, MARGIN_Y = 24.0, 18.0


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``x0,y0,x1,y1`` in PDF points (top-left origin), or None.

    Raises:
        InvalidParameterError: not four finite numbers with x1 > x0 and y1 > y0 (422).
    """
    if not text:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise InvalidParameterError("bbox must be four numbers: x0,y0,x1,y1") from exc
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise InvalidParameterError("bbox must be four finite numbers (no nan or inf)")
    if x1 <= x0 or y1 <= y0:
        raise InvalidParameterError("bbox must have x1 > x0 and y1 > y0")
    return x0, y0, x1, y1


def clip_to_page(bbox: tuple[float, float, float, float], page_rect: Any) -> Any:
    """``bbox`` as a ``pymupdf.Rect`` clamped to ``page_rect``: what MuPDF is given is always a
    box on the page (a box of ±1e308 points would overflow its integer pixel arithmetic).

    Raises:
        InputError: the box lies outside the page.
    """
    import pymupdf

    x0, y0, x1, y1 = page_rect
    clamped = pymupdf.Rect(
        min(max(bbox[0], x0), x1),
        min(max(bbox[1], y0), y1),
        min(max(bbox[2], x0), x1),
        min(max(bbox[3], y0), y1),
    )
    if clamped.is_empty:
        raise InputError("bbox lies outside the page")
    return clamped


def render_region(
    pdf_path: Path,
    page_number: int,
    *,
    bbox: tuple[float, float, float, float] | None,
    highlight: bool,
    dpi: int,
) -> bytes:
    """PNG bytes of page ``page_number`` (1-based), cropped around ``bbox`` when given.

    Raises:
        NotFoundError: the page does not exist.
        CorruptInputError: the file cannot be opened as a PDF.
    """
    import pymupdf

    try:
        doc = pymupdf.open(pdf_path)
    except Exception as exc:  # pymupdf raises its own untyped errors
        raise CorruptInputError(f"cannot open the stored PDF: {exc}") from exc
    try:
        return _render(doc, page_number, bbox=bbox, highlight=highlight, dpi=dpi)
    except ScipixError:
        raise
    except Exception as exc:  # MuPDF's own errors: a damaged page tree, stream or font
        raise CorruptInputError(f"cannot render page {page_number}: {exc}") from exc
    finally:
        doc.close()


def _render(
    doc: Any,
    page_number: int,
    *,
    bbox: tuple[float, float, float, float] | None,
    highlight: bool,
    dpi: int,
) -> bytes:
    import pymupdf

    if not 1 <= page_number <= doc.page_count:
        raise NotFoundError(f"page {page_number} does not exist (1..{doc.page_count})")
    page = doc[page_number - 1]
    clip = page.rect
    if bbox is not None:
        rect = clip_to_page(bbox, page.rect)
        if highlight:
            page.draw_rect(
                rect + (-2, -2, 2, 2),
                color=(0.95, 0.45, 0.0),
                fill=(1.0, 0.92, 0.2),
                fill_opacity=0.25,
                width=1.2,
                overlay=True,
            )
        clip = (rect + (-MARGIN_X, -MARGIN_Y, MARGIN_X, MARGIN_Y)) & page.rect
        if clip.is_empty:
            raise InputError("bbox lies outside the page")
    zoom = dpi / 72.0
    pixels = clip.width * clip.height * zoom * zoom
    if pixels > MAX_RENDER_PIXELS:
        zoom *= (MAX_RENDER_PIXELS / pixels) ** 0.5
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=clip, alpha=False)
    return bytes(pixmap.tobytes("png"))
