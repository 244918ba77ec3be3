"""Ingest and OCR stages of ingestion: one input's bytes to a ParsedDocument.

The parsers live in ``ingest`` and run no model; here they are dispatched by content type
(magic bytes) and handed the recognizers they need from the :class:`Models` registry, so a
model is loaded only when an input needs it (a LaTeX source loads no OCR).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from scipix_search.config import Settings
from scipix_search.exceptions import CorruptInputError, InputError, MissingDependencyError
from scipix_search.ingest import (
    BBox,
    PageEquations,
    ParsedDocument,
    display_lists,
    find_equation_regions,
    lines_outside,
    lines_to_passages,
    open_pdf,
    parse_formula_collection,
    parse_image,
    parse_latex_source,
    parse_pdf,
    passages_outside,
    regions_to_equations,
    render_page,
    scale_passages,
    sniff,
)
from scipix_search.pipeline._gc import collection_paused
from scipix_search.pipeline._models import Models

logger = logging.getLogger(__name__)

# Below this, an OCR read of a PDF crop is worse than the text layer's glyph LaTeX.
OCR_MIN_CONFIDENCE = 0.3
# Scanned pages are rendered at this resolution for the text OCR.
SCAN_DPI = 200


def _latex_limits(settings: Settings) -> dict[str, int]:
    """What one LaTeX source may cost: bytes read, macro expansions, characters they add."""
    return {
        "max_bytes": settings.max_file_bytes,
        "max_expansions": settings.latex_max_macro_expansions,
        "max_expansion_chars": settings.latex_max_expansion_chars,
    }


def parse_input(
    data: bytes,
    name: str,
    sha256: str,
    *,
    settings: Settings,
    models: Models,
    source_path: Path | None = None,
) -> ParsedDocument:
    """Bytes to a ParsedDocument, by content type (magic bytes).

    Args:
        data: the input's bytes.
        name: its file name (only tells a ``.tex`` from a ``.txt`` formula list).
        sha256: its identity, stored with the document.
        settings: input limits (bytes, pages, image pixels).
        models: where the recognizers come from (images, scans, PDF equation crops).
        source_path: where the bytes are on disk, if anywhere: a ``.tex`` main file is then
            parsed in place so that its ``\\input`` files next to it are found.

    Raises:
        InputError: the content type is not one that is ingested.
        ScipixError: the input is damaged or over a limit, or a model failed.
    """
    kind = sniff(data, name)
    if kind == "pdf":
        return parse_pdf_input(data, name, sha256, settings=settings, models=models)
    if kind == "tex" and source_path is not None:
        parsed = parse_latex_source(source_path, **_latex_limits(settings))
        parsed.source, parsed.sha256 = name, sha256
        return parsed
    if kind in ("tex", "targz", "collection"):
        # The source parsers read from disk (a .tex may \\input siblings; archives unpack).
        with tempfile.TemporaryDirectory(prefix="scipix-") as tmp:
            path = Path(tmp) / Path(name).name
            path.write_bytes(data)
            if kind == "collection":
                parsed = parse_formula_collection(path, max_bytes=settings.max_file_bytes)
            else:
                parsed = parse_latex_source(path, **_latex_limits(settings))
        parsed.source, parsed.sha256 = name, sha256
        return parsed
    if kind == "image":
        from scipix_search.ocr import check_readable, frame_count, frames_as_pdf, load_image

        if frame_count(data) > 1:
            # a multi-page scan (TIFF): its pages as an image-only PDF, read page by page
            pdf = frames_as_pdf(
                data, name, max_pixels=settings.max_image_pixels, max_pages=settings.max_pages
            )
            return parse_pdf_input(pdf, name, sha256, settings=settings, models=models)
        image = load_image(
            data, max_pixels=settings.max_image_pixels, max_bytes=settings.max_file_bytes
        )
        check_readable(image, name)
        # An image needs the formula model even where PDFs run without it.
        return parse_image(
            image,
            name,
            sha256,
            latex_recognizer=models.latex_recognizer,
            text_recognizer=models.text_recognizer,
            formula_detector=_formula_detector(models),
            upright=_upright,
        )
    raise InputError(f"{name}: {kind} input is not supported")


def parse_pdf_input(
    data: bytes,
    name: str,
    sha256: str,
    *,
    settings: Settings,
    models: Models,
    ocr_equations: bool = True,
) -> ParsedDocument:
    """A PDF's pages, passages and equations (display and inline).

    Display equations whose glyphs do not all map are read by the formula OCR when
    ``ocr_equations`` and ``pdf_equation_ocr`` allow it; pages without a text layer get their
    passages from the text OCR.
    """
    # The read builds a dict per glyph and makes no reference cycles: the cyclic collector
    # would only traverse them (a fifth of the read's CPU, see _gc)
    with collection_paused():
        return _parse_pdf_input(
            data, name, sha256, settings=settings, models=models, ocr_equations=ocr_equations
        )


def _parse_pdf_input(
    data: bytes,
    name: str,
    sha256: str,
    *,
    settings: Settings,
    models: Models,
    ocr_equations: bool,
) -> ParsedDocument:
    recognizer = models.pdf_formula_recognizer if ocr_equations else None
    doc = open_pdf(data, name, max_pages=settings.max_pages)
    try:
        # One display list a page serves the passages and the equation finder: MuPDF then
        # interprets each page's content once for both (``_textpage``).
        try:
            lists = display_lists(doc)
        except Exception as exc:  # as parse_pdf reports a page MuPDF cannot read
            raise CorruptInputError(f"{name}: cannot read the PDF's pages ({exc})") from exc
        parsed = parse_pdf(data, name, sha256, max_pages=settings.max_pages, doc=doc, lists=lists)
        # inline math of prose lines too: stored with display=False, never OCR'd; crops only
        # where OCR reads them (``render_complete``)
        regions = find_equation_regions(
            doc, render=recognizer is not None, inline=True, render_complete=False, lists=lists
        )
    finally:
        doc.close()
    # One OCR batch per document (crops share a font size, so the recognizer scales them
    # all by their pooled glyph height); multi-row displays are read row by row.
    parsed.equations = regions_to_equations(regions, recognizer, min_confidence=OCR_MIN_CONFIDENCE)
    # A display's own text block is not prose: the equation is stored as LaTeX instead.
    displays: dict[int, list[BBox]] = {}
    for region in regions:
        if region.display:
            # the text blocks are the text layer's: measured against the lines' boxes
            displays.setdefault(region.page, []).append(region.layout or region.bbox)
    parsed.passages = passages_outside(parsed.passages, displays)
    _ocr_scanned_pages(data, name, parsed, settings=settings, models=models)
    return parsed


def _upright(pixels: np.ndarray) -> np.ndarray:
    """A scanned page turned level (up to 3 degrees either way): detection and text OCR
    then see level lines, and boxes are those of the level page."""
    from scipix_search.ocr import deskew

    return deskew(pixels)[0]


def _formula_detector(models: Models) -> Any:
    """The page-image formula detector, or None (with a warning) where its model is missing:
    scans then give their passages as before, without equations."""
    try:
        return models.formula_detector
    except MissingDependencyError as exc:
        logger.warning("display equations of page images are not detected: %s", exc.message)
        return None


def _ocr_scanned_pages(
    data: bytes, name: str, parsed: ParsedDocument, *, settings: Settings, models: Models
) -> None:
    """Pages without a text layer (scans) get their passages from text OCR."""
    scanned = [p for p in parsed.pages if not p.has_text_layer]
    if not scanned:
        return
    text_recognizer = models.text_recognizer
    detector = _formula_detector(models)
    recognizer = models.pdf_formula_recognizer if detector is not None else None
    found = PageEquations(detector, recognizer) if recognizer is not None else None
    doc = open_pdf(data, name, max_pages=settings.max_pages)
    try:
        for page in scanned:
            pixels = render_page(doc[page.number - 1], SCAN_DPI)
            pixels = _upright(pixels)
            lines = text_recognizer.read_array(pixels, page=page.number - 1)
            if found is not None:
                boxes = found.add_page(pixels, page.number, 72.0 / SCAN_DPI, lines=lines)
                lines = lines_outside(lines, boxes)
            passages = lines_to_passages(
                lines,
                page.number,
                start_order=len(parsed.passages),
            )
            scale_passages(passages, 72.0 / SCAN_DPI)
            parsed.passages.extend(passages)
            logger.info(
                "%s: page %d has no text layer; OCR read %d passages",
                name,
                page.number,
                len(passages),
            )
    finally:
        doc.close()
    if found is not None:
        # One batch for the document: the crops' glyph height is pooled, as for PDF crops.
        parsed.equations.extend(found.read(start_order=len(parsed.equations)))
