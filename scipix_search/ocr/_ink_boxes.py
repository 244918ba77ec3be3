"""Display boxes set to the page's ink, and kept off its page numbers.

The born-digital regions hug their glyphs, and a model box is wider or narrower than its
display: a box is widened along its rows to the ink that continues it (spaces under a line
height), shrunk to the ink inside it, and cut short of a folio (page number) it reached.
Split out of ``ocr/_displays.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from scipix_search.ocr._geometry import INK_BELOW, Box
from scipix_search.ocr._numbers import _row_of

# Ink this close (in line heights) beside a box, on its rows, is more of its display.
EXTEND_GAP_LINES = 1.0


def _ink_extend(
    box: Box,
    grey: np.ndarray,
    column: tuple[float, float],
    numbers: list[Box],
    line_height: float,
) -> Box:
    """The box widened along its rows to the ink that continues it (gaps under a line height:
    the spaces of a formula), within its column and short of its number."""
    y0, y1 = max(0, int(box[1])), min(grey.shape[0], int(np.ceil(box[3])))
    left_limit = max(0, int(column[0] - line_height))
    right_limit = min(grey.shape[1], int(column[1] + line_height))
    for number in numbers:
        if _row_of(number, box, [column]) or box[1] <= (number[1] + number[3]) / 2 <= box[3]:
            if number[0] >= box[2]:
                right_limit = min(right_limit, int(number[0]))
            elif number[2] <= box[0]:
                left_limit = max(left_limit, int(number[2]))
    if y1 - y0 < 2 or right_limit - left_limit < 2:
        return box
    inked = (grey[y0:y1, left_limit:right_limit] < INK_BELOW).sum(axis=0) >= 2
    gap = int(EXTEND_GAP_LINES * line_height)
    x0, x1 = int(box[0]) - left_limit, int(np.ceil(box[2])) - left_limit
    x0, x1 = max(0, x0), min(len(inked) - 1, x1)
    while True:
        ahead = np.nonzero(inked[max(0, x0 - gap) : x0])[0]
        if ahead.size == 0:
            break
        x0 = max(0, x0 - gap) + int(ahead[0])
    while True:
        ahead = np.nonzero(inked[x1 + 1 : x1 + 1 + gap])[0]
        if ahead.size == 0:
            break
        x1 = x1 + 1 + int(ahead[-1])
    return (float(left_limit + x0), box[1], float(left_limit + x1 + 1), box[3])


FOLIO = re.compile(r"^\s*(?:\d{1,4}|[ivxlc]{1,6})\s*$")
"""A page number as the text OCR reads it: digits, or a small roman numeral."""
FOLIO_GAP_LINES = 0.5
"""A folio stands this many line heights (the page's median) off the text next to it."""


def _folios(lines: Sequence[Any], line_height: float) -> list[Box]:
    """The boxes of the page's folios: a page number alone on the page's first or last
    line, set apart from the text next to it (``FOLIO_GAP_LINES``)."""
    if len(lines) < 3:
        return []
    top = sorted(lines, key=lambda ln: ln.bbox[1])
    out = []
    for edge, rest, below in ((top[-1], top[:-1], True), (top[0], top[1:], False)):
        if not FOLIO.match(edge.text):
            continue
        if below:
            gap = edge.bbox[1] - max(ln.bbox[3] for ln in rest)
        else:
            gap = min(ln.bbox[1] for ln in rest) - edge.bbox[3]
        if gap > FOLIO_GAP_LINES * line_height:
            out.append((edge.bbox[0], edge.bbox[1], edge.bbox[2], edge.bbox[3]))
    return out


def _off_folios(box: Box, folios: list[Box], grey: np.ndarray | None) -> Box:
    """The box cut short of a folio it reached (the model's box of a page's last display
    can take the page number under it, and widening along rows then its width)."""
    for folio in folios:
        middle = (folio[1] + folio[3]) / 2
        if box[1] < folio[1] and middle <= box[3] and folio[0] < box[2] and folio[2] > box[0]:
            box = (box[0], box[1], box[2], folio[1] - 1)
        elif box[3] > folio[3] and middle >= box[1] and folio[0] < box[2] and folio[2] > box[0]:
            box = (box[0], folio[3] + 1, box[2], box[3])
        else:
            continue
        if grey is not None:
            box = _ink_box(box, grey)
    return box


def _ink_box(box: Box, grey: np.ndarray) -> Box:
    """The box shrunk to the ink inside it (a model box is often wider than its display)."""
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(grey.shape[1], int(np.ceil(box[2]))), min(grey.shape[0], int(np.ceil(box[3])))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return box
    ink = grey[y0:y1, x0:x1] < INK_BELOW
    # isolated noise pixels are no ink: a column or row needs two of them
    cols = np.nonzero(ink.sum(axis=0) >= 2)[0]
    rows = np.nonzero(ink.sum(axis=1) >= 2)[0]
    if cols.size == 0 or rows.size == 0:
        return box
    return (
        float(x0 + cols[0]),
        float(y0 + rows[0]),
        float(x0 + cols[-1] + 1),
        float(y0 + rows[-1] + 1),
    )
