"""Page geometry the display rules share: boxes, text columns and the line height.

Split out of ``ocr/_displays.py`` (each step of
:func:`~scipix_search.ocr._displays.refine_displays` lives in a module of its own concern,
and every one of them measures in these terms): a ``Box`` is ``(x0, y0, x1, y1)`` in the
page image's pixels, distances are in text-line heights (the page's median line), and a box
belongs to the text column its centre is in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Grey levels under this are ink (scans: dark glyphs on light paper).
INK_BELOW = 150
# A two-column page's gutter lies this share of the text block's width off its middle or less.
GUTTER_SHIFT = 0.1

Box = tuple[float, float, float, float]
Columns = list[tuple[float, float]]


def _line_height(lines: Sequence[Any]) -> float:
    heights = sorted(line.bbox[3] - line.bbox[1] for line in lines)
    return float(heights[len(heights) // 2]) if heights else 20.0


def _overlap_share(a: Box, b: Box) -> float:
    """Share of ``a``'s area inside ``b``."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    area = (a[2] - a[0]) * (a[3] - a[1])
    return w * h / area if w > 0 and h > 0 and area > 0 else 0.0


def _columns(lines: Sequence[Any], width: float) -> list[tuple[float, float]]:
    """The text columns: one, or two where long lines stop short of the page's middle."""
    long = [line.bbox for line in lines if line.bbox[2] - line.bbox[0] > 0.3 * width]
    if not long:
        return [(0.0, width)]
    # the middle of the text block, not of the inked width: the left margin is as wide as
    # the right one only on some pages, and a left column's lines then ended past width / 2
    # and there, the place the fewest long lines cross (:func:`_gutter`)
    middle = _gutter(long, (min(b[0] for b in long) + max(b[2] for b in long)) / 2)
    left = [b for b in long if b[2] < middle]
    right = [b for b in long if b[0] > middle]
    across = [b for b in long if b[0] < middle < b[2]]
    if len(left) >= 3 and len(right) >= 3 and len(across) < min(len(left), len(right)):
        return [
            (min(b[0] for b in left), max(b[2] for b in left)),
            (min(b[0] for b in right), max(b[2] for b in right)),
        ]
    return [(min(b[0] for b in long), max(b[2] for b in long))]


def _column_of(box: Box, columns: list[tuple[float, float]]) -> tuple[float, float]:
    centre = (box[0] + box[2]) / 2
    return min(
        columns,
        key=lambda c: (
            0.0 if c[0] <= centre <= c[1] else min(abs(centre - c[0]), abs(centre - c[1]))
        ),
    )


def _union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _gutter(long: Sequence[Box], middle: float) -> float:
    """The place within :data:`GUTTER_SHIFT` of ``middle`` that the fewest ``long`` lines
    cross (the nearest of those to ``middle``): a two-column page's gutter. The text block's
    middle alone moves with one line that reaches past the block (a display wider than its
    column, the last line of a wide title block), and the right column's lines then started
    left of it and were all taken for lines across the page (a title page of two columns read
    as one: each display box then took the other column's lines on its rows)."""
    ends = sorted({b[0] - 1 for b in long} | {b[2] + 1 for b in long} | {middle})
    span = max(b[2] for b in long) - min(b[0] for b in long)
    near = [x for x in ends if abs(x - middle) <= GUTTER_SHIFT * span]

    def crossing(x: float) -> int:
        return sum(b[0] < x < b[2] for b in long)

    return min(near, key=lambda x: (crossing(x), abs(x - middle)))
