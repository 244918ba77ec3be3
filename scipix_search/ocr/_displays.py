"""Display equations of a page image: the layout model's boxes, set right by the page's text lines.

The layout model sees a display equation well but draws it at its own granularity: one box
over two numbered rows of an ``align``, a box per row of a multi-row display, now and then a
display called ``text``. The page's text OCR already knows what decides the granularity of a
typeset paper: the equation numbers ``(n)``, right-aligned on their row (or flush left:
``leqno``). One display region is one numbered equation (with its unnumbered continuation
rows), which is how the regions of a born-digital PDF are drawn (the number excluded), so the
boxes are

* split where one box holds the rows of several numbers;
* cut at the rows of prose inside them (a box over two displays and the sentence between
  them, or over a display and the sentence that leads into it);
* merged where boxes stacked closely, one under the other, share at most one number;
* added where a number has display ink to its left that no equation box covers;
* grown over the rows next to them that continue them (a row opening with ``=`` or another
  relation or operator, as the continuation rows of a multi-row display do);
* widened along their rows to the ink that continues them (spaces under a line height) and
  trimmed to their ink, as the born-digital regions hug their glyphs;
* ended before the number when they reach over it (started after it, set on the left);
* added where the model boxes nothing: rows set centred in their column (or carrying a
  number, or set off at the indent where the page's other displays start: ``fleqn``) whose
  text is not words, outside figures and tables, with the not-word rows next to them (a
  row's note in words a quad after its formula, ``(for each x ∈ Q)``, leaves it a display's);
* joined where they are the rows of one display found in pieces: stacked in one column, at
  most one number, nothing but rows of no prose between them and a row's space apart.

This module holds :func:`refine_displays`, which runs those steps in order; each step lives
in a module of its own concern: equation numbers in ``ocr/_numbers.py``, rows (and a
display's equation rows, :func:`~scipix_search.ocr._rows.display_rows`) in
``ocr/_rows.py``, prose in and around a box in ``ocr/_prose.py``, displays the model missed
in ``ocr/_candidates.py``, ink and page numbers in ``ocr/_ink_boxes.py``, and the geometry
they share in ``ocr/_geometry.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from scipix_search.ocr._candidates import (
    MIN_WIDTH_LINES,
    _join,
    _line_candidates,
    _recovered,
    _sure_figures,
)
from scipix_search.ocr._geometry import Box, _column_of, _columns, _line_height, _overlap_share
from scipix_search.ocr._ink_boxes import _folios, _ink_box, _ink_extend, _off_folios
from scipix_search.ocr._layout import EQUATION, Region
from scipix_search.ocr._numbers import (
    _count_numbers,
    _detach_numbers,
    _end_before_number,
    _merge,
    _numbers,
    _split,
)
from scipix_search.ocr._prose import (
    _clear_prose,
    _cut_prose,
    _extend_to_lines,
    _grow,
    _trim_prose,
    _wordy,
)
from scipix_search.ocr._rows import _row_boxes, _rows

# Regions scored down to this are looked at by the lines (the detector's own cut is 0.5).
WEAK_CONFIDENCE = 0.2


def refine_displays(
    regions: Sequence[Region],
    lines: Sequence[Any],
    *,
    min_confidence: float = 0.5,
    pixels: np.ndarray | None = None,
) -> list[Region]:
    """The display equations of a page from its layout regions and its text lines.

    Args:
        regions: :meth:`FormulaDetector.detect`'s regions of the page (every class, scored
            down to ``WEAK_CONFIDENCE``).
        lines: The page's text lines (``text`` and ``bbox`` in the same pixels).
        min_confidence: Equation boxes scored this high are kept without other evidence.

    Returns:
        Equation regions, top to bottom; a box made or changed here keeps the confidence of
        the detector box it came from.
    """
    # a box with no area holds nothing to read (and no share of it lies in any other box)
    regions = [r for r in regions if r.bbox[2] > r.bbox[0] and r.bbox[3] > r.bbox[1]]
    sure = [r for r in regions if r.kind == EQUATION and r.confidence >= min_confidence]
    if not lines:
        return sorted(sure, key=lambda r: (r.bbox[1], r.bbox[0]))
    height = _line_height(lines)
    width = max(line.bbox[2] for line in lines)
    columns = _columns(lines, width)
    grey = None if pixels is None else pixels if pixels.ndim == 2 else pixels.mean(axis=2)
    lines = _detach_numbers(lines, columns, height, grey)
    figures = _sure_figures(regions, _rows(lines, columns))
    numbers = _numbers(lines, columns, height, figures)
    # a sure box over prose with no number on its rows is a paragraph with inline math
    sure = [
        r for r in sure if _count_numbers(r.bbox, numbers, columns) or not _wordy(r.bbox, lines)
    ]
    # the same box called a figure with more confidence, and no number: a diagram's labels
    sure = [
        r
        for r in sure
        if _count_numbers(r.bbox, numbers, columns)
        or not any(
            f.kind == "figure"
            and f.confidence > r.confidence
            and _overlap_share(r.bbox, f.bbox) >= 0.8
            and _overlap_share(f.bbox, r.bbox) >= 0.8
            for f in regions
        )
    ]
    pieces: list[tuple[Box, float]] = []
    for region in sure:
        pieces.extend(
            (box, region.confidence) for box in _split(region.bbox, numbers, columns, lines)
        )
    taken = [box for box, _ in pieces]
    for box, score in _recovered(regions, taken, lines, numbers, columns, height):
        pieces.extend((piece, score) for piece in _split(box, numbers, columns, lines))
    # a box over two displays and the sentence between them is two displays
    page_rows = _rows(lines, columns)
    modelled = [r.bbox for r in regions if r.kind == EQUATION]
    pieces = [
        (cut, score)
        for box, score in pieces
        for cut in _cut_prose(box, page_rows, numbers, columns, height, modelled)
    ]
    boxes = _merge([box for box, _ in pieces], numbers, columns, height)
    boxes = _grow(boxes, page_rows, numbers, columns, line_height=height)

    def confidence(box: Box) -> float:
        return max((c for b, c in pieces if b[1] >= box[1] - 1 and b[3] <= box[3] + 1), default=0.0)

    scored = [
        (
            _clear_prose(
                _trim_prose(box, page_rows, numbers, columns, height, modelled),
                page_rows,
                numbers,
                columns,
                height,
                modelled,
            ),
            confidence(box),
        )
        for box in boxes
    ]
    # a box over part of a display row takes the whole of the text line it cuts across
    scored = _extend_to_lines(scored, lines, numbers, columns)
    if grey is not None:
        # the model's boxes set to the display's ink: widened along their rows, then trimmed
        scored = [
            (_ink_box(_ink_extend(box, grey, _column_of(box, columns), numbers, height), grey), c)
            for box, c in scored
        ]
    # a page number under (or over) the last display of a page is no part of it
    folios = _folios(lines, height)
    scored = [(_off_folios(box, folios, grey), c) for box, c in scored]
    # after the merge: a display found by its own rows is not taken into a model box's
    # display by _merge's rules, only by _join's (nothing but a row's space between them)
    scored += [
        (box, WEAK_CONFIDENCE)
        for box in _line_candidates(
            lines, figures, taken + boxes, numbers, columns, height, [b for b, _ in scored]
        )
    ]
    # the rows of one display found in pieces (by the model and by the lines) are one box
    scored = [
        (box, max(c for b, c in scored if _overlap_share(b, box) >= 0.99))
        for box in _join([box for box, _ in scored], page_rows, numbers, columns, height)
    ]
    ended = [(_end_before_number(box, numbers, columns, height), score) for box, score in scored]
    if grey is not None:
        # a box started after its number (set on the left) is trimmed to its ink again
        ended = [
            (_ink_box(box, grey) if box[0] > old[0] else box, score)
            for (box, score), (old, _) in zip(ended, scored, strict=True)
        ]
    out = [
        Region(EQUATION, box, round(score, 4), _row_boxes(box, grey, height, lines))
        for box, score in ended
        if box[2] - box[0] >= MIN_WIDTH_LINES * height  # what was left of a number's box
    ]
    return sorted(out, key=lambda r: (r.bbox[1], r.bbox[0]))
