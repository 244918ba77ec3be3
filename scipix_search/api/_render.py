"""Render a PDF page (or a region of it) to PNG, with an optional highlighted box."""

from __future__ import annotations

from pathlib import Path

from scipix_search.exceptions import CorruptInputError, InputError, NotFoundError

MAX_RENDER_PIXELS = 4_000_000
MARGIN_X, MARGIN_Y = 24.0, 18.0


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``x0,y0,x1,y1`` in PDF points (top-left origin), or None."""
    if not text:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise InputError("bbox must be four numbers: x0,y0,x1,y1") from exc
    if x1 <= x0 or y1 <= y0:
        raise InputError("bbox must have x1 > x0 and y1 > y0")
    return x0, y0, x1, y1


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
        if not 1 <= page_number <= doc.page_count:
            raise NotFoundError(f"page {page_number} does not exist (1..{doc.page_count})")
        page = doc[page_number - 1]
        clip = page.rect
        if bbox is not None:
            rect = pymupdf.Rect(*bbox)
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
        return pixmap.tobytes("png")
    finally:
        doc.close()
