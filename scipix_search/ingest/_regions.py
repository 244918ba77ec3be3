"""Equation regions found on PDF pages, before (or without) OCR."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scipix_search.ingest._types import BBox, ParsedEquation

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class EquationRegion:
    """A display (or inline) formula located on a PDF page.

    Attributes:
        page: 1-based page number.
        bbox: x0, y0, x1, y1 in PDF points, top-left origin (the equation number excluded).
        display: True for a display equation, False for inline math inside a prose line.
        number: the printed equation number without parentheses (``"3"``, ``"2.1"``), or None.
        text: the text-layer glyphs, row by row (rows joined by newlines).
        latex: best-effort LaTeX rebuilt from the glyphs (rows joined by ``\\\\``).
        row_latex: the same LaTeX, one entry per visual row.
        image: the crop rendered at ``dpi`` as PNG bytes (None when rendering was not asked).
        dpi: the resolution of ``image``.
        math_score: share of the region's glyphs that are math (fonts or symbols), 0..1.
    """

    page: int
    bbox: BBox
    display: bool
    number: str | None = None
    text: str = ""
    latex: str = ""
    row_latex: list[str] = field(default_factory=list)
    image: bytes | None = None
    dpi: int = 0
    math_score: float = 0.0

    def to_pil(self) -> Any:
        """The crop as a ``PIL.Image`` (RGB); raises ValueError when there is no image."""
        if self.image is None:
            raise ValueError("region has no rendered image")
        import io

        from PIL import Image

        return Image.open(io.BytesIO(self.image)).convert("RGB")


Recognizer = Callable[[Any], Any]
"""Anything called with a PIL image returning an object with ``latex`` and ``confidence``
(like ``scipix_search.ocr.LatexRecognizer``), or a plain LaTeX string."""


def regions_to_equations(
    regions: list[EquationRegion], recognizer: Recognizer | None = None
) -> list[ParsedEquation]:
    """Turn regions into equations: OCR LaTeX where a recognizer is given, else the text layer.

    Args:
        regions: regions from :func:`find_equation_regions`, in reading order.
        recognizer: optional OCR callable; a failing region falls back to its text-layer
            LaTeX (logged), so one bad crop never loses the document.

    Returns:
        ``ParsedEquation`` per region with ``origin="ocr"`` (recognised) or ``"pdf"``.
    """
    out: list[ParsedEquation] = []
    for order, region in enumerate(regions):
        latex, origin, confidence = region.latex, "pdf", None
        if recognizer is not None and region.image is not None:
            try:
                result = recognizer(region.to_pil())
            except Exception as exc:  # noqa: BLE001 - OCR may fail on one crop; keep the rest
                logger.warning("OCR failed on page %d region %s: %s", region.page, region.bbox, exc)
            else:
                text = result if isinstance(result, str) else getattr(result, "latex", "")
                if text:
                    latex, origin = text, "ocr"
                    confidence = getattr(result, "confidence", None)
        out.append(
            ParsedEquation(
                latex=latex,
                page=region.page,
                bbox=region.bbox,
                display=region.display,
                origin=origin,  # type: ignore[arg-type]
                order=order,
                number=region.number,
                confidence=confidence,
            )
        )
    return out
