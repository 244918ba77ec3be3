"""Render a PDF page (or a region of it) to PNG, with an optional highlighted box."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scipix_search.api.errors import InvalidParameterError
from scipix_search.exceptions import CorruptInputError, InputError, NotFoundError, ScipixError

MAX_RENDER_PIXELS = 4_000_000
MARGIN_X, MARGIN_Y = 24.0, 18.0
#: The colour of a highlight's edge (RGB, 0-1): orange, rare in papers' own ink.
HIGHLIGHT_EDGE = (0.95, 0.45, 0.0)


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
    boxes: Sequence[tuple[float, float, float, float]] = (),
) -> bytes:
    """PNG bytes of page ``page_number`` (1-based), cropped around ``bbox`` when given.

    ``boxes`` (PDF points) are drawn highlighted on the page as well: the whole page with the
    hits on it boxed, where ``bbox`` alone shows a crop around one.

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
        return _render(doc, page_number, bbox=bbox, highlight=highlight, dpi=dpi, boxes=boxes)
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
    boxes: Sequence[tuple[float, float, float, float]] = (),
) -> bytes:
    import pymupdf

    if not 1 <= page_number <= doc.page_count:
        raise NotFoundError(f"page {page_number} does not exist (1..{doc.page_count})")
    page = doc[page_number - 1]
    clip = page.rect
    if highlight:
        for box in boxes:
            _draw_highlight(page, clip_to_page(box, page.rect))
    if bbox is not None:
        rect = clip_to_page(bbox, page.rect)
        if highlight:
            _draw_highlight(page, rect)
        clip = (rect + (-MARGIN_X, -MARGIN_Y, MARGIN_X, MARGIN_Y)) & page.rect
        if clip.is_empty:
            raise InputError("bbox lies outside the page")
    zoom = dpi / 72.0
    pixels = clip.width * clip.height * zoom * zoom
    if pixels > MAX_RENDER_PIXELS:
        zoom *= (MAX_RENDER_PIXELS / pixels) ** 0.5
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=clip, alpha=False)
    return bytes(pixmap.tobytes("png"))


def _draw_highlight(page: Any, rect: Any) -> None:
    page.draw_rect(
        rect + (-2, -2, 2, 2),
        color=HIGHLIGHT_EDGE,
        fill=(1.0, 0.92, 0.2),
        fill_opacity=0.25,
        width=1.2,
        overlay=True,
    )
