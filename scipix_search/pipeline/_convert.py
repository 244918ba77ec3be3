"""A paper as Markdown (``scipix-search convert FILE --to md``): what ingestion reads, in order.

Born-digital pages come from the text layer, read exactly as ingestion reads it (its passages,
its display equations: glyph LaTeX, or the formula OCR where the glyphs fall short, and its
inline math), so the Markdown's equations are the ones the library stores. Pages without a
text layer (scans, image-only PDF pages) and page images come from OCR: the text OCR's lines,
grouped into paragraphs by column, and display equations boxed by the formula detector and
read by the formula OCR in one batch per document. A formula-sized image is one ``$$``
display. The layout (column order, paragraphs, math in place) is ``ingest``'s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from scipix_search.config import Settings
from scipix_search.exceptions import InputError, UnsupportedContentError
from scipix_search.ingest import (
    FORMULA_MAX_HEIGHT_PX,
    BBox,
    DisplayBlock,
    PageEquations,
    ParsedEquation,
    display_blocks,
    document_markdown,
    lines_outside,
    ocr_blocks,
    open_pdf,
    page_equation_regions,
    page_markdown,
    page_markdown_blocks,
    parse_pdf,
    regions_to_equations,
    render_page,
    sniff,
)
from scipix_search.pipeline._models import Models
from scipix_search.pipeline._parse import (
    OCR_MIN_CONFIDENCE,
    SCAN_DPI,
    _formula_detector,
    _upright,
)

logger = logging.getLogger(__name__)

#: Wraps the pages as they are read (the CLI passes a progress bar); the default reads them.
PageTracker = Callable[[Sequence[int]], Iterable[int]]


def _untracked(pages: Sequence[int]) -> Iterable[int]:
    return pages


def convert_to_markdown(
    data: bytes,
    name: str,
    *,
    settings: Settings,
    models: Models,
    pages: Sequence[int] | None = None,
    track: PageTracker = _untracked,
) -> str:
    """A PDF or an image as Markdown, with ``$...$`` inline and ``$$...$$`` display math.

    Args:
        data: the file's bytes.
        name: its name, for messages.
        settings: input limits (pages, bytes, image pixels).
        models: where the recognizers come from (loaded only where a page needs them); its
            ``pdf_equation_ocr`` says whether display equations the glyphs do not rebuild
            are read by the formula OCR, as in ingestion.
        pages: 1-based pages to convert (None: all), written in page order.
        track: wraps the pages as they are read (a progress bar).

    Returns:
        The Markdown: each page opened by ``<!-- page N -->``.

    Raises:
        InputError: the input is neither a PDF nor an image, or a page is not in it.
        ScipixError: the input is damaged or over a limit, or a model failed.
    """
    kind = sniff(data, name)
    if kind == "pdf":
        return _pdf_markdown(
            data,
            name,
            settings=settings,
            models=models,
            pages=pages,
            track=track,
        )
    if kind == "image":
        _select(pages, 1, name)
        return _image_markdown(data, settings=settings, models=models)
    raise UnsupportedContentError(
        f"{name}: convert reads PDFs and images, not {kind} input", path=name
    )


def _select(pages: Sequence[int] | None, count: int, name: str) -> list[int]:
    if pages is None:
        return list(range(1, count + 1))
    outside = sorted(n for n in set(pages) if not 1 <= n <= count)
    if outside:
        raise InputError(
            f"{name}: page {outside[0]} is not in the document, which has {count} "
            f"page{'s' if count != 1 else ''}",
            path=name,
        )
    return sorted(set(pages))


def _ocr_lines(
    pixels: np.ndarray,
    number: int,
    factor: float,
    models: Models,
    found: PageEquations | None,
) -> list[tuple[BBox, str]]:
    """The text OCR's lines of one page image (boxes times ``factor``), those inside a
    detected display equation left out (the equation is read by the formula OCR)."""
    lines = models.text_recognizer.read_array(pixels, page=number - 1)
    if found is not None:
        # the lines set the detector's boxes right and give the crops their prose scale, as
        # in ingestion: a page converts to the equations it would be stored with
        lines = lines_outside(lines, found.add_page(pixels, number, factor, lines=lines))
    return [(tuple(v * factor for v in line.bbox), line.text) for line in lines]  # type: ignore[misc]


def _page_equations(models: Models) -> PageEquations | None:
    detector = _formula_detector(models)
    recognizer = models.pdf_formula_recognizer if detector is not None else None
    if recognizer is None:
        return None
    # the Markdown sets the displays; the lines of math outside them stay its text lines
    return PageEquations(detector, recognizer, inline_math=False)


def _pdf_markdown(
    data: bytes,
    name: str,
    *,
    settings: Settings,
    models: Models,
    pages: Sequence[int] | None,
    track: PageTracker,
) -> str:
    # The whole document's passages: running headers are told by their repeating on pages.
    parsed = parse_pdf(data, name, "", max_pages=settings.max_pages)
    selected = _select(pages, parsed.page_count, name)
    scanned = {p.number for p in parsed.pages if not p.has_text_layer}
    recognizer = models.pdf_formula_recognizer
    found = _page_equations(models) if scanned.intersection(selected) else None
    regions = []
    ocr_lines: dict[int, list[tuple[BBox, str]]] = {}
    doc = open_pdf(data, name, max_pages=settings.max_pages)
    try:
        for number in track(selected):
            page = doc[number - 1]
            if number in scanned:
                pixels = _upright(render_page(page, SCAN_DPI))
                ocr_lines[number] = _ocr_lines(pixels, number, 72.0 / SCAN_DPI, models, found)
            else:
                regions.extend(
                    page_equation_regions(page, render=recognizer is not None, inline=True)
                )
        # one OCR batch per document, as ingestion reads it (crops share a font size)
        equations = regions_to_equations(regions, recognizer, min_confidence=OCR_MIN_CONFIDENCE)
        if found is not None:
            equations.extend(found.read())
        out = []
        for number in selected:
            page = doc[number - 1]
            on_page = [e for e in equations if e.page == number]
            if number in scanned:
                texts = ocr_blocks(ocr_lines[number], page.rect.width)
                displays = display_blocks(on_page)
            else:
                texts, displays = page_markdown_blocks(page, parsed.passages, on_page)
            out.append((number, page_markdown(texts, displays, page.rect.width)))
    finally:
        doc.close()
    return document_markdown(out)


def _image_markdown(data: bytes, *, settings: Settings, models: Models) -> str:
    from scipix_search.ocr import load_image

    image = load_image(
        data, max_pixels=settings.max_image_pixels, max_bytes=settings.max_file_bytes
    )
    width, height = image.size
    if height <= FORMULA_MAX_HEIGHT_PX:  # a formula, not a page: as ingestion tells them apart
        result = models.latex_recognizer(image)
        box = (0.0, 0.0, float(width), float(height))
        displays = [DisplayBlock(box, (result.latex,), (None,))] if result.latex else []
        return document_markdown([(1, page_markdown([], displays, width))])
    pixels = _upright(np.asarray(image.convert("RGB")))
    found = _page_equations(models)
    lines = _ocr_lines(pixels, 1, 1.0, models, found)
    equations: list[ParsedEquation] = found.read() if found is not None else []
    markdown = page_markdown(ocr_blocks(lines, width), display_blocks(equations), width)
    return document_markdown([(1, markdown)])
