"""Result types of the OCR engines."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LatexResult:
    """What :class:`~scipix_search.ocr.LatexRecognizer` read in one formula image.

    Attributes:
        latex: Cleaned LaTeX (empty for a blank image).
        mathml: MathML of ``latex`` (empty when it does not parse).
        confidence: Geometric-mean token probability in ``[0, 1]``.
        parses: Whether ``latex`` converts to MathML (balanced, known commands).
        time_ms: Wall time spent on this image (its share of a batch).
        scale: Resize factor applied before the model.
    """

    latex: str
    mathml: str
    confidence: float
    parses: bool
    time_ms: float
    scale: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (``extra`` left out)."""
        data = asdict(self)
        data.pop("extra")
        return data


@dataclass(frozen=True)
class TextLine:
    """One line of text found by :class:`~scipix_search.ocr.TextRecognizer`.

    Attributes:
        text: The recognised text.
        bbox: ``(x0, y0, x1, y1)`` in pixels of the page image.
        confidence: Recognition score in ``[0, 1]``.
        page: 0-based page number (0 for single images).
    """

    text: str
    bbox: tuple[float, float, float, float]
    confidence: float
    page: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)
