"""OCR steps of the pipeline: scanned PDF pages and images become passages or equations.

Kept apart from :mod:`scipix_search.pipeline` so that module stays about orchestration.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from scipix_search.ingest._types import ParsedDocument, ParsedEquation, ParsedPage, ParsedPassage

logger = logging.getLogger(__name__)

# A formula screenshot is a strip a few lines high; a page scan is much taller.
FORMULA_MAX_HEIGHT_PX = 400
# Lines closer than this many line heights belong to one paragraph.
PARAGRAPH_GAP = 0.9
# Pixels added around a detected equation before its crop is read: the detector's boxes hug
# the ink and are sometimes a pixel short; the formula OCR crops to the ink itself.
CROP_MARGIN = 4
# A word of prose is lower case, capitalised or in capitals, three letters or more. Runs of
# letters in mixed case ("AAx" for a lambda, "fNL", "idY") are symbols the text OCR read as
# letters, not words; so are runs glued to digits ("Nat1", "iter1": a name with its index
# read on the line), which prose does not set.
PROSE_WORD = re.compile(r"(?<![A-Za-z0-9])(?:[a-z]{3,}|[A-Z][a-z]{2,}|[A-Z]{3,})(?![A-Za-z0-9])")
# Text whose non-space characters lie this much in such words is prose: the one judge of
# "words, not math" for the lines of a page image (the display rules of ``ocr`` ask it too).
PROSE_WORD_SHARE = 0.5
# A prose line this long measures the document's font size for the formula OCR (its
# glyphs' x-height); a page gives at most this many.
PROSE_MIN_CHARS = 20
PROSE_LINES_PER_PAGE = 12
Box = tuple[float, float, float, float]

# A text line this much inside an equation box is the equation's own (garbled) text.
LINE_INSIDE_EQUATION = 0.5
# A line outside every display box that is not prose (:func:`is_prose`), holds a sign of math
# and this many characters or more is read by the formula OCR too and stored as inline math
# (``display=False``), as a PDF's text layer gives its prose lines' math: a display the rules
# left unboxed, or a line dense with inline math, still finds its paper. Shorter lines are
# figure labels, running heads and equation numbers.
MATH_LINE_MIN_CHARS = 8
# Signs that a line holds math: relations, operators and arrows (Unicode class Sm), Greek
# letters, and the ASCII signs a formula sets.
MATH_LINE_SIGNS = re.compile(r"[=<>+^_|\u0370-\u03ff\u2190-\u22ff\u27c0-\u27ff\u2a00-\u2aff]")
# An equation number alone: "(3)", "(2.11)", "3".
NUMBER_ONLY = re.compile(r"^\s*\(?\s*[A-Za-z]?\d+(?:[.:]\d+)*[a-z]?\s*\)?\s*$")


def crop_box(pixels: np.ndarray, bbox: tuple[float, float, float, float]) -> np.ndarray:
    """A copy of ``pixels`` inside ``bbox`` (pixels) with :data:`CROP_MARGIN` around it."""
    height, width = pixels.shape[:2]
    x0, y0, x1, y1 = bbox
    return pixels[
        max(0, int(y0) - CROP_MARGIN) : min(height, int(np.ceil(y1)) + CROP_MARGIN),
        max(0, int(x0) - CROP_MARGIN) : min(width, int(np.ceil(x1)) + CROP_MARGIN),
    ].copy()


def word_share(text: str) -> float:
    """The share of ``text``'s non-space characters that lie in words of prose
    (:data:`PROSE_WORD`); 0 for blank text."""
    chars = sum(not c.isspace() for c in text)
    return sum(len(word) for word in PROSE_WORD.findall(text)) / chars if chars else 0.0


def is_prose(text: str, min_chars: int = 1) -> bool:
    """Text of prose, not math: at least ``min_chars`` non-space characters, and at least
    :data:`PROSE_WORD_SHARE` of them in words (:func:`word_share`)."""
    chars = sum(not c.isspace() for c in text)
    return chars >= max(min_chars, 1) and word_share(text) >= PROSE_WORD_SHARE


def prose_crops(pixels: np.ndarray, lines: list[Any]) -> list[np.ndarray]:
    """Crops of a page's prose lines (:func:`is_prose`, :data:`PROSE_MIN_CHARS` long), at
    most :data:`PROSE_LINES_PER_PAGE` spread over the page: the formula OCR's ruler for the
    document's font size (``batch(..., prose=...)``)."""
    prose = [line for line in lines if is_prose(line.text, PROSE_MIN_CHARS)]
    step = max(1, -(-len(prose) // PROSE_LINES_PER_PAGE))
    return [crop_box(pixels, tuple(line.bbox)) for line in prose[::step]]


def _inside_share(line: tuple[float, ...], box: tuple[float, ...]) -> float:
    w = min(line[2], box[2]) - max(line[0], box[0])
    h = min(line[3], box[3]) - max(line[1], box[1])
    area = (line[2] - line[0]) * (line[3] - line[1])
    return w * h / area if w > 0 and h > 0 and area > 0 else 0.0


def lines_outside(lines: list[Any], boxes: list[tuple[float, float, float, float]]) -> list[Any]:
    """The text lines not lying (mostly) inside any equation box: those are its garbled text."""
    return [
        line
        for line in lines
        if all(_inside_share(line.bbox, box) < LINE_INSIDE_EQUATION for box in boxes)
    ]


def math_lines(lines: list[Any], boxes: list[Box]) -> list[Any]:
    """The lines outside ``boxes`` (:func:`lines_outside`) that hold math and are not prose:
    :data:`MATH_LINE_MIN_CHARS` non-space characters or more, a sign of math
    (:data:`MATH_LINE_SIGNS`), not an equation number alone, not words (:func:`is_prose`)."""
    return [
        line
        for line in lines_outside(lines, boxes)
        if sum(not c.isspace() for c in line.text) >= MATH_LINE_MIN_CHARS
        and MATH_LINE_SIGNS.search(line.text)
        and not NUMBER_ONLY.match(line.text)
        and not is_prose(line.text)
    ]


@dataclass(frozen=True, slots=True)
class FoundEquation:
    """One equation :meth:`PageEquations.read_found` read, with what the detector and the
    formula OCR said of it (``scipix-search ocr PAGE --format json`` lists these)."""

    equation: ParsedEquation
    #: The detector's score of the display's box.
    region_confidence: float
    #: Whether the LaTeX parses (for a display read by its rows: every row does).
    parses: bool
    #: For a row of a multi-row display: the index, in the same list, of its display.
    row_of: int | None = None


class PageEquations:
    """Display equations of one document's page images, read in one batch at the end.

    The detector finds each page's equations as its page is seen (only the crops are kept, not
    the pages); :meth:`read` runs the formula OCR on all crops at once, so they are scaled by
    the glyph height pooled over the document (its equations share a font size), as the
    crops of born-digital PDFs are; where the pages' text lines are given, that height is
    measured on the prose lines instead (a steadier ruler than a few displays' glyphs).

    Args:
        detector: ``equations(pixels) -> regions`` with ``bbox`` and ``confidence`` (the
            pipeline hands in ``ocr.FormulaDetector``; ingest runs no model of its own).
        latex_recognizer: ``batch(crops, same_document=True, prose=..., scanned=True) ->
            results``.
        inline_math: also read the page's lines of math outside its displays
            (:func:`math_lines`, where the lines are given) and give them as inline math
            (``display=False``); a caller that shows the displays alone (``convert``) saves
            their reads.
    """

    def __init__(self, detector: Any, latex_recognizer: Any, *, inline_math: bool = True) -> None:
        self.detector, self.latex_recognizer = detector, latex_recognizer
        self.inline_math = inline_math
        # (page, box in the document's units, crop or None for a display read by its rows,
        # index of the display a row belongs to or -1)
        self._found: list[tuple[int, Box, np.ndarray | None, int]] = []
        self._scores: list[float] = []  # the detector's score of each entry's display
        self._inline: set[int] = set()  # entries of math lines outside the displays
        self._prose: list[np.ndarray] = []

    def add_page(
        self, pixels: np.ndarray, page: int, factor: float = 1.0, lines: list[Any] | None = None
    ) -> list[tuple[float, float, float, float]]:
        """Detect the equations of one page (``page`` 1-based; ``factor``: pixels to the
        document's units; ``lines``: the page's text lines, which set the detector's boxes
        right where it has ``displays``). Returns their boxes in pixels, to leave their lines
        out."""
        if lines is not None and hasattr(self.detector, "displays"):
            regions = self.detector.displays(pixels, lines)
        else:
            regions = self.detector.equations(pixels)
        boxes = [tuple(region.bbox) for region in regions]
        self._prose.extend(prose_crops(pixels, lines or []))

        def scaled(box: Box) -> Box:
            return (box[0] * factor, box[1] * factor, box[2] * factor, box[3] * factor)

        for region in regions:
            rows = getattr(region, "rows", ())
            score = float(getattr(region, "confidence", 0.0))
            if len(rows) < 2:
                self._found.append((page, scaled(region.bbox), crop_box(pixels, region.bbox), -1))
                self._scores.append(score)
                continue
            # the formula OCR reads one line at a time: a multi-row display is read row by
            # row, stored whole (its rows joined) and row by row, as a PDF's regions are
            whole = len(self._found)
            self._found.append((page, scaled(region.bbox), None, -1))
            self._found.extend((page, scaled(row), crop_box(pixels, row), whole) for row in rows)
            self._scores.extend([score] * (len(rows) + 1))
        if lines is not None and self.inline_math:  # math no display box holds: inline math
            for line in math_lines(lines, boxes):
                self._inline.add(len(self._found))
                box = tuple(line.bbox)
                self._found.append((page, scaled(box), crop_box(pixels, box), -1))
                self._scores.append(0.0)
        return boxes

    def read(self, start_order: int = 0) -> list[ParsedEquation]:
        """The equations read from every crop added, in page order (empty reads dropped)."""
        return [found.equation for found in self.read_found(start_order)]

    def read_found(self, start_order: int = 0) -> list[FoundEquation]:
        """:meth:`read`'s equations with the detector's score, whether each parses, and
        which display a row belongs to."""
        if not self._found:
            return []
        todo = [i for i, (_, _, crop, _) in enumerate(self._found) if crop is not None]
        # crops of page images: the recognizer's scan threshold for a second read
        results = self.latex_recognizer.batch(
            [self._found[i][2] for i in todo],
            same_document=True,
            prose=self._prose,
            scanned=True,
        )
        read: dict[int, tuple[str, float | None, bool]] = {
            i: (r.latex, r.confidence, bool(r.parses)) for i, r in zip(todo, results, strict=True)
        }
        for i, (_, _, crop, _) in enumerate(self._found):
            if crop is None:  # a display read by its rows: the rows joined, the least sure
                parts = [read[j] for j, f in enumerate(self._found) if f[3] == i and read[j][0]]
                read[i] = (
                    " \\\\ ".join(latex for latex, _, _ in parts),
                    min((c for _, c, _ in parts if c is not None), default=None),
                    all(parses for _, _, parses in parts),
                )
        out: list[FoundEquation] = []
        position: dict[int, int] = {}  # index in _found -> index in out
        for i, (page, bbox, _, whole) in enumerate(self._found):
            latex, confidence, parses = read[i]
            if not latex:
                continue
            position[i] = len(out)
            equation = ParsedEquation(
                latex=latex,
                page=page,
                bbox=bbox,
                display=i not in self._inline,
                origin="ocr",
                order=start_order + len(out),
                confidence=confidence,
            )
            out.append(FoundEquation(equation, self._scores[i], parses, position.get(whole)))
        return out


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
    image: Any,
    name: str,
    sha256: str,
    *,
    latex_recognizer: Any,
    text_recognizer: Any,
    formula_detector: Any = None,
    upright: Callable[[np.ndarray], np.ndarray] | None = None,
) -> ParsedDocument:
    """An image is a formula screenshot (one equation) or a page scan (text passages).

    With a ``formula_detector``, a page scan's display equations are detected, read by the
    formula OCR and stored (``origin="ocr"``), and the text lines inside them are left out of
    the passages. Boxes of images are in the image's pixels (its "page" is the image itself);
    ``upright`` (the pipeline hands in ``ocr.deskew``) levels a page before it is read.
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
    pixels = np.asarray(image.convert("RGB"))
    if upright is not None:
        pixels = upright(pixels)
    lines = text_recognizer.read_array(pixels, page=0)
    if formula_detector is not None:
        found = PageEquations(formula_detector, latex_recognizer)
        lines = lines_outside(lines, found.add_page(pixels, page=1, lines=lines))
        doc.equations = found.read()
    doc.passages = lines_to_passages(lines, page=1)
    return doc
