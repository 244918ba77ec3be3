"""OCR steps of the pipeline: scanned PDF pages and images become passages or equations.

Kept apart from :mod:`scipix_search.pipeline` so that module stays about orchestration.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from scipix_search.ingest._types import ParsedDocument, ParsedEquation, ParsedPage, ParsedPassage

logger = logging.getLogger(__name__)

# A formula screenshot is a strip a few lines high; a page scan is much taller.
FORMULA_MAX_HEIGHT_PX = 400
# Lines closer than this many line heights belong to one paragraph.
PARAGRAPH_GAP = 0.9


def lines_to_passages(lines: list[Any], page: int, start_order: int = 0) -> list[ParsedPassage]:
    """Group OCR text lines (top to bottom) into paragraph passages by vertical gaps."""
    passages: list[ParsedPassage] = []
    group: list[Any] = []

    def flush() -> None:
        if not group:
            return
        text = " ".join(line.text.strip() for line in group).strip()
        if len(text) >= 20:
            bbox = (
                min(line.bbox[0] for line in group),
                min(line.bbox[1] for line in group),
                max(line.bbox[2] for line in group),
                max(line.bbox[3] for line in group),
            )
            passages.append(ParsedPassage(text, page, bbox, start_order + len(passages)))
        group.clear()

    for line in lines:
        if group:
            prev = group[-1]
            height = max(prev.bbox[3] - prev.bbox[1], 1.0)
            if line.bbox[1] - prev.bbox[3] > PARAGRAPH_GAP * height:
                flush()
        group.append(line)
    flush()
    return passages


def scale_passages(passages: list[ParsedPassage], factor: float) -> None:
    """Convert passage boxes from rendered pixels to PDF points."""
    for passage in passages:
        if passage.bbox is not None:
            x0, y0, x1, y1 = passage.bbox
            passage.bbox = (x0 * factor, y0 * factor, x1 * factor, y1 * factor)


def parse_image(
    image: Any, name: str, sha256: str, *, latex_recognizer: Any, text_recognizer: Any
) -> ParsedDocument:
    """An image is a formula screenshot (one equation) or a page scan (text passages).

    Boxes of images are in the image's pixels (its "page" is the image itself).
    """
    width, height = image.size
    doc = ParsedDocument(
        source=name,
        sha256=sha256,
        kind="image",
        title=None,
        pages=[ParsedPage(1, width, height, False)],
    )
    if height <= FORMULA_MAX_HEIGHT_PX:
        result = latex_recognizer(image)
        if result.latex:
            doc.equations = [
                ParsedEquation(
                    latex=result.latex,
                    page=1,
                    bbox=(0.0, 0.0, float(width), float(height)),
                    display=True,
                    origin="ocr",
                    confidence=result.confidence,
                )
            ]
        return doc
    lines = text_recognizer.read_array(np.asarray(image.convert("RGB")), page=0)
    doc.passages = lines_to_passages(lines, page=1)
    return doc
