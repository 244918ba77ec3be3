"""A formula screenshot as a query: find the formula in it, read it, say plainly what was read.

A screenshot is rarely cropped to the formula: it holds a line of prose above and below, or a
whole paragraph. The formula OCR reads whatever it is given, so a loose crop comes back as
prose spelled in ``\\mathrm`` inside an ``array`` that often does not parse, and the parse
error then quoted LaTeX the user never wrote. So the page-layout detector looks at the image
first; where it finds a display equation among other things, the equation's region is read
alone. What was read is returned whether or not it parses, so a user can correct it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from scipix_search.exceptions import LatexParseError, ScipixError
from scipix_search.math import parse_formula

if TYPE_CHECKING:  # the OCR models load onnxruntime: imported by whoever builds them
    from scipix_search.ocr import FormulaDetector, LatexRecognizer, LatexResult, Region

logger = logging.getLogger(__name__)

#: An equation region covering this share of the image is the image: read the whole of it.
WHOLE_IMAGE_SHARE = 0.8
#: Padding around a detected region, as a share of its height (its box can clip glyph edges).
PAD_SHARE = 0.15
#: The blank page a screenshot is laid on for the detector: A4 at 150 dpi, in pixels.
PAGE_SIZE = (1240, 1754)
#: Least detector confidence for a region to be read on its own.
MIN_REGION_CONFIDENCE = 0.3


@dataclass(frozen=True, slots=True)
class ImageQuery:
    """What a formula screenshot was read as.

    Attributes:
        latex: The LaTeX read ("" when no formula was found).
        parses: Whether ``latex`` parses as a formula query (it can be searched as it is).
        confidence: The OCR's mean token probability.
        region: The part of the image that was read (x0, y0, x1, y1 pixels), or None for all.
        message: Why nothing can be searched yet, in words for the user; None when it can.
        mathml: MathML of ``latex`` ("" when it does not convert).
    """

    latex: str
    parses: bool
    confidence: float
    region: tuple[int, int, int, int] | None = None
    message: str | None = None
    mathml: str = ""
    tried: list[str] = field(default_factory=list, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "latex": self.latex,
            "mathml": self.mathml,
            "confidence": self.confidence,
            "parses": self.parses,
            "region": list(self.region) if self.region is not None else None,
            "message": self.message,
        }


def _parses(latex: str) -> bool:
    try:
        return bool(parse_formula(latex).tokens)
    except LatexParseError:
        return False


def equation_region(
    regions: list[Region], width: int, height: int
) -> tuple[int, int, int, int] | None:
    """The region of ``regions`` to read as the formula, padded, or None for the whole image.

    The surest equation region wins; none, or one covering most of the image (a tight crop),
    means the whole image is the formula.
    """
    equations = [
        r for r in regions if r.kind == "equation" and r.confidence >= MIN_REGION_CONFIDENCE
    ]
    if not equations:
        return None
    best = max(equations, key=lambda r: r.confidence)
    x0, y0, x1, y1 = best.bbox
    if (x1 - x0) * (y1 - y0) >= WHOLE_IMAGE_SHARE * width * height:
        return None
    pad = max(6.0, PAD_SHARE * (y1 - y0))
    return (
        max(0, int(x0 - pad)),
        max(0, int(y0 - pad)),
        min(width, int(x1 + pad + 1)),
        min(height, int(y1 + pad + 1)),
    )


def _detect_on_page(detector: FormulaDetector, image: Any) -> list[Region]:
    """Layout regions of a screenshot, found with the screenshot laid on a blank page.

    The detector learnt whole pages: a screenshot given alone is scaled up to its input size
    and its display equation called a figure or text (0 of 10 loose crops of the committed
    display_math.pdf); laid at its own scale on a page-sized white canvas, as it sat on its
    page, 6 of the 10 crops that hold whole prose lines get their equation found.
    """
    from PIL import Image

    width, height = image.size
    page_w, page_h = max(PAGE_SIZE[0], int(1.3 * width)), max(PAGE_SIZE[1], 2 * height)
    left, top = (page_w - width) // 2, page_h // 4
    canvas = Image.new("RGB", (page_w, page_h), "white")
    canvas.paste(image.convert("RGB"), (left, top))
    return [
        replace(r, bbox=(r.bbox[0] - left, r.bbox[1] - top, r.bbox[2] - left, r.bbox[3] - top))
        for r in detector.detect(canvas)
    ]


def read_query_image(
    image: Any,
    recognizer: LatexRecognizer,
    detector: FormulaDetector | None = None,
) -> ImageQuery:
    """Read the formula of a screenshot (a PIL image) for an equation search.

    Args:
        image: The decoded screenshot (see :func:`scipix_search.ocr.load_image`).
        recognizer: The formula OCR.
        detector: The layout detector; None reads the whole image.

    Returns:
        What was read. ``parses`` False (with ``message``) when no formula could be read that
        parses: the caller shows ``latex`` for the user to correct instead of an error.
    """
    width, height = image.size
    region = None
    if detector is not None:
        try:
            region = equation_region(_detect_on_page(detector, image), width, height)
        except ScipixError as exc:  # the detector is a help, not a condition
            logger.warning("layout detection of the query image failed: %s", exc)
    reads: list[tuple[tuple[int, int, int, int] | None, LatexResult]] = []
    for box in (region, None) if region is not None else (None,):
        result = recognizer(image.crop(box) if box is not None else image)
        reads.append((box, result))
        if result.latex and _parses(result.latex):
            return ImageQuery(
                result.latex,
                True,
                result.confidence,
                box,
                None,
                result.mathml,
                [r.latex for _, r in reads],
            )
    box, result = reads[0]
    tried = [r.latex for _, r in reads]
    if not any(r.latex for _, r in reads):
        return ImageQuery("", False, 0.0, box, "no formula was found in the image", "", tried)
    return ImageQuery(
        result.latex,
        False,
        result.confidence,
        box,
        "the formula read from the image is not valid LaTeX: correct it and search again"
        " (or crop the screenshot closer to the formula)",
        result.mathml,
        tried,
    )
