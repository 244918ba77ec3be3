"""Display-equation detection on rendered pages, scored against the PDF's own regions.

A born-digital PDF is its own ground truth: :func:`scipix_search.ingest.find_equation_regions`
locates its display equations from the text layer (boxes in PDF points), and the same page
rendered at ``dpi`` is what a scan of it would show. A detected box counts when it overlaps a
true one with IoU >= 0.5, each box matched once (greedily, best overlap first).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pymupdf

from scipix_search.ingest import find_equation_regions, render_page

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class DetectionCounts:
    """True boxes, found boxes and one-to-one matches over some pages."""

    truth: int = 0
    found: int = 0
    matched: int = 0
    pages: int = 0

    @property
    def recall(self) -> float:
        return self.matched / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    def __add__(self, other: DetectionCounts) -> DetectionCounts:
        return DetectionCounts(
            self.truth + other.truth,
            self.found + other.found,
            self.matched + other.matched,
            self.pages + other.pages,
        )


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two ``(x0, y0, x1, y1)`` boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match_boxes(truth: Sequence[Box], found: Sequence[Box], min_iou: float = 0.5) -> int:
    """How many true boxes a found box matches, one to one, best overlap first.

    Example:
        >>> match_boxes([(0, 0, 10, 10), (0, 20, 10, 30)], [(1, 1, 10, 10), (0, 0, 10, 30)])
        1
    """
    return len(match_pairs(truth, found, min_iou))


def match_pairs(truth: Sequence[Box], found: Sequence[Box], min_iou: float = 0.5) -> dict[int, int]:
    """The one-to-one matches of :func:`match_boxes`: true box index -> found box index."""
    pairs = sorted(
        ((iou(t, f), i, j) for i, t in enumerate(truth) for j, f in enumerate(found)),
        reverse=True,
    )
    matched: dict[int, int] = {}
    used_found: set[int] = set()
    for overlap, i, j in pairs:
        if overlap < min_iou:
            break
        if i not in matched and j not in used_found:
            matched[i] = j
            used_found.add(j)
    return matched


def display_boxes(pdf: Path) -> dict[int, list[Box]]:
    """The PDF's display-equation boxes in points, by 0-based page."""
    boxes: dict[int, list[Box]] = {}
    for region in find_equation_regions(pdf, render=False):
        if region.display:
            boxes.setdefault(region.page - 1, []).append(tuple(region.bbox))  # type: ignore[arg-type]
    return boxes


def score_detection(
    pdf: Path,
    detect: Callable[[np.ndarray], Iterable[Box]],
    *,
    dpi: int,
    pages: Iterable[int] | None = None,
    min_iou: float = 0.5,
    truth: dict[int, list[Box]] | None = None,
) -> DetectionCounts:
    """Detect display equations on rendered pages of ``pdf`` and count matches with its regions.

    Args:
        pdf: A born-digital PDF.
        detect: Page image (RGB array) -> equation boxes in its pixels.
        dpi: Rendering resolution; true boxes are scaled by ``dpi / 72``.
        pages: 0-based pages to score (default: all).
        min_iou: Overlap for a match.
        truth: :func:`display_boxes` of ``pdf`` when the caller has them already.

    Returns:
        The counts summed over the pages.
    """
    truth_by_page = display_boxes(pdf) if truth is None else truth
    total = DetectionCounts()
    with pymupdf.open(pdf) as document:
        for page in pages if pages is not None else range(document.page_count):
            scale = dpi / 72
            true_boxes = [
                (b[0] * scale, b[1] * scale, b[2] * scale, b[3] * scale)
                for b in truth_by_page.get(page, [])
            ]
            found = list(detect(render_page(document[page], dpi)))
            matched = match_boxes(true_boxes, found, min_iou)
            logger.debug(
                "%s p%d: %d true, %d found, %d matched",
                pdf.name,
                page,
                len(true_boxes),
                len(found),
                matched,
            )
            total += DetectionCounts(len(true_boxes), len(found), matched, 1)
    return total
