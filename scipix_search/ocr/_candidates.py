"""Displays the layout model missed: weak or mislabelled boxes, and rows found by the lines.

The model scores a display under its cut now and then, calls it ``text``, ``title`` or
``reference``, or boxes nothing at all. Such a box is a display when a number sits on its row
or it is set centred in its column and is not prose; a run of rows boxed nowhere is one when
it is set so too, outside the page's sure figures and tables. The rows of one display found
in pieces so (some by the model, some by the lines) are joined again (:func:`_join`). Split
out of ``ocr/_displays.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scipix_search.ingest import PROSE_MIN_CHARS, is_prose
from scipix_search.ocr._geometry import Box, _column_of, _overlap_share, _union
from scipix_search.ocr._layout import EQUATION, Region
from scipix_search.ocr._numbers import (
    LEFT_NUMBER_FLUSH,
    MERGE_OVERLAP,
    MERGE_STACKED_LINES,
    _count_numbers,
    _split,
)
from scipix_search.ocr._prose import EQUATION_PROSE_SHARE, _wordy
from scipix_search.ocr._rows import ROW_GAP_LINES, _noted, _row_text, _rows, _spans

# A display is set in from each edge of its column by at least this share of its width ...
CENTRED_INSET = 0.05
# ... and about as far from one edge as from the other.
CENTRED_SKEW = 0.25


# Regions of these kinds may be displays the model called otherwise, if no taller than this.
RECOVERABLE = (EQUATION, "text", "title", "reference")
MAX_RECOVERED_LINES = 4.5
MIN_RECOVERED_WIDTH = 4.0
MIN_WIDTH_LINES = 2.0


# Regions of these kinds, scored this high, hold no display (labels of plots, table cells).
NOT_PROSE_KINDS = ("figure", "table", "header", "footer")
SURE_KIND = 0.5
# A "figure" this much of whose height is lines of a paragraph is a page of text.
FIGURE_PROSE_SHARE = 0.5


def _centred(box: Box, column: tuple[float, float]) -> bool:
    """Set in from both edges of its column, about equally: how displays are typeset."""
    width = column[1] - column[0]
    left, right = box[0] - column[0], column[1] - box[2]
    return (
        left >= CENTRED_INSET * width
        and right >= CENTRED_INSET * width
        and abs(left - right) <= CENTRED_SKEW * width
    )


def _on_number_row(
    number: Box, region: Box, line_height: float, columns: list[tuple[float, float]]
) -> bool:
    """The number is on the region's rows, to its right, in the column where the region ends
    (a number of the other column's display is not this region's), or to its left at the
    left edge of the column where it starts (``leqno``)."""
    centre = (number[1] + number[3]) / 2
    end = (region[2], region[1], region[2], region[3])
    if not (
        region[1] - 0.3 * line_height <= centre <= region[3] + 0.3 * line_height
        and region[3] - region[1] <= MAX_RECOVERED_LINES * line_height
    ):
        return False
    if region[0] < number[0] and region[2] <= number[2] + line_height:
        return _column_of(number, columns) == _column_of(end, columns)
    start = (region[0], region[1], region[0], region[3])
    column = _column_of(start, columns)
    return (
        number[2] < region[2]
        and region[0] >= number[0] - line_height
        and _column_of(number, columns) == column
        and number[0] - column[0] <= LEFT_NUMBER_FLUSH * (column[1] - column[0])
    )


def _recovered(
    regions: Sequence[Region],
    taken: list[Box],
    lines: Sequence[Any],
    numbers: list[Box],
    columns: list[tuple[float, float]],
    line_height: float,
) -> list[tuple[Box, float]]:
    """Displays the model scored under its cut or called text/title/reference: those with
    an equation number on their row, or set centred in their column and not prose."""
    found: list[tuple[Box, float]] = []
    # the model's equation boxes first, however weak: where one overlaps a surer text box
    # (a display and the sentence leading into it, called text), the equation box is the
    # display's own outline
    others = sorted(
        (r for r in regions if r.kind in RECOVERABLE),
        key=lambda r: (r.kind != EQUATION, -r.confidence),
    )
    for region in others:
        # an equation box over the rows of several numbers is judged one numbered row at a time
        pieces = (
            _split(region.bbox, numbers, columns, lines)
            if region.kind == EQUATION
            else [region.bbox]
        )
        for box in pieces:
            if _recoverable(box, region, taken, lines, numbers, columns, line_height):
                found.append((box, region.confidence))
                taken.append(box)
    return found


def _recoverable(
    box: Box,
    region: Region,
    taken: list[Box],
    lines: Sequence[Any],
    numbers: list[Box],
    columns: list[tuple[float, float]],
    line_height: float,
) -> bool:
    if any(_overlap_share(box, t) > 0.3 or _overlap_share(t, box) > 0.3 for t in taken):
        return False
    if box[3] - box[1] > MAX_RECOVERED_LINES * line_height:
        return False
    if box[2] - box[0] < MIN_RECOVERED_WIDTH * line_height or any(
        _overlap_share(box, n) >= 0.3 for n in numbers
    ):
        return False  # a page number, or the equation number itself
    if any(_on_number_row(n, box, line_height, columns) for n in numbers):
        return True
    return _centred(box, _column_of(box, columns)) and not _wordy(
        box, lines, share=EQUATION_PROSE_SHARE if region.kind == EQUATION else None
    )


def _sure_figures(regions: Sequence[Region], rows: list[list[Any]]) -> list[Box]:
    """The page's sure figures, tables, headers and footers, which hold no display; less a
    "figure" whose height is mostly lines of a paragraph (the model takes a page of text with
    displays between its paragraphs for a figure now and then: a plot's labels are short, and
    a caption inside its box is a few lines of a tall figure)."""
    out = []
    for region in regions:
        if region.kind not in NOT_PROSE_KINDS or region.confidence < SURE_KIND:
            continue
        box = region.bbox
        if region.kind == "figure":
            prose = 0.0
            for row in rows:
                span = _union([tuple(x.bbox) for x in row])
                if _overlap_share(span, box) > 0.5 and is_prose(_row_text(row), PROSE_MIN_CHARS):
                    prose += span[3] - span[1]
            if prose >= FIGURE_PROSE_SHARE * (box[3] - box[1]):
                continue
        out.append(box)
    return out


def _line_candidates(
    lines: Sequence[Any],
    figures: Sequence[Box],
    taken: list[Box],
    numbers: list[Box],
    columns: list[tuple[float, float]],
    line_height: float,
    displays: Sequence[Box] = (),
) -> list[Box]:
    """Displays the model boxed nowhere, found from the lines alone: rows set centred in their
    column (or carrying a number at the right, or set where the page's ``displays`` are:
    :func:`_set_as_displays`) whose text is not words, with the rows under them that are not
    words either (the continuation rows of a multi-row display), outside the page's sure
    ``figures``."""
    found: list[Box] = []
    group: list[Box] = []
    above: list[Box] = []  # a run of rows that are not words, no display's by themselves

    def flush() -> None:
        if group and _count_numbers(_union(group), numbers, columns) <= 1:
            found.append(_union(group))
        group.clear()

    bottoms: list[float] = []  # of the rows above, in the column
    column: tuple[float, float] | None = None
    for row in _rows(lines, columns):
        maths = [tuple(x.bbox) for x in row if tuple(x.bbox) not in numbers]
        if not maths:
            continue
        box = _union(maths)
        if _column_of(box, columns) != column:
            flush()
            above.clear()
            bottoms = []
            column = _column_of(box, columns)
        bottoms.append(box[3])
        numbered = any(_on_number_row(n, box, line_height, columns) for n in numbers)
        # a row with an equation number is a display even inside what the model took for a
        # figure (figures and tables carry no right-aligned (n))
        free = not any(_overlap_share(box, b) > 0.3 for b in taken) and (
            numbered or not any(_overlap_share(box, b) > 0.3 for b in figures)
        )
        plain = free and (not _wordy(box, row) or _noted(row, line_height))
        if group and plain and box[1] - group[-1][3] <= ROW_GAP_LINES * line_height:
            group.append(box)
            continue
        flush()
        near = bool(above) and 0 <= box[1] - above[-1][3] <= ROW_GAP_LINES * line_height
        if not plain:
            above.clear()
            continue
        wide = box[2] - box[0] >= MIN_RECOVERED_WIDTH * line_height
        if wide and (numbered or _centred(box, _column_of(box, columns))):
            # a numbered row's rows right above, not words and set off from the paragraph
            # by a display skip, are its display's first rows (a multline numbered last)
            if numbered and near and _set_off(above[0], bottoms, line_height):
                group.extend(above)
            group.append(box)
            above.clear()
            continue
        # at the page's display indent, the rows right above that are not words and start
        # right of it are the display's first rows (an aligned display's shorter rows start
        # right of its widest one; a paragraph's lines start at the column's edge)
        lead = [b for b in above if b[0] >= box[0] - INDENT_TOLERANCE_LINES * line_height]
        first = lead[0] if near and len(lead) == len(above) else box
        if (
            wide
            and _set_as_displays(box, displays, columns, line_height)
            and _set_off(first, bottoms, line_height)
        ):
            group.extend(above if first is not box else [])
            group.append(box)
            above.clear()
        else:
            above[:] = [*above, box] if near else [box]
    flush()
    return found


# A display is set off from the line above it by the display skip: a space of this many line
# heights or more (a paragraph's lines are closer; the OCR's boxes of two lines touch).
SET_OFF_LINES = 0.3


def _set_off(first: Box, bottoms: Sequence[float], line_height: float) -> bool:
    """Nothing of the column ends within :data:`SET_OFF_LINES` line heights above ``first``
    (the top row of a display), where ``bottoms`` are the ends of the column's rows so far."""
    return not any(
        first[1] - SET_OFF_LINES * line_height < bottom <= first[1] + 0.5 * (first[3] - first[1])
        for bottom in bottoms[:-1]
    )


# Displays of a page set flush at one indent (``fleqn``) start within this many line heights
# of each other; a row starting there is set as they are when this many of them do.
INDENT_TOLERANCE_LINES = 0.3
INDENT_DISPLAYS = 2


def _set_as_displays(
    box: Box, displays: Sequence[Box], columns: list[tuple[float, float]], line_height: float
) -> bool:
    """The row starts where :data:`INDENT_DISPLAYS` or more of the page's other displays in
    its column start: displays set flush at an indent (``fleqn``: its ``mathindent`` from the
    column's left edge, zero in some styles), not centred, are set so all down the page."""
    column = _column_of(box, columns)
    same = [
        d
        for d in displays
        if _column_of(d, columns) == column
        and abs(d[0] - box[0]) <= INDENT_TOLERANCE_LINES * line_height
        and not _centred(d, column)
    ]
    return len(same) >= INDENT_DISPLAYS


def _join(
    boxes: list[Box],
    rows: list[list[Any]],
    numbers: list[Box],
    columns: list[tuple[float, float]],
    line_height: float,
) -> list[Box]:
    """Display boxes stacked in one column, with nothing between them but rows that are not
    prose, each gap a row's space (under ``ROW_GAP_LINES``), as one display with at most one
    number: the rows of one unnumbered multi-row display found piece by piece (the model's
    weak boxes over some rows, the lines' candidates over others). Two displays of their own
    are set apart by the display skips, a line height or more."""
    spans = _spans(rows, numbers)
    out = sorted(boxes, key=lambda b: b[1])
    joined = True
    while joined:
        joined = False
        for i, upper in enumerate(out):
            for j in range(i + 1, len(out)):
                lower = out[j]
                if _joins(upper, lower, out, spans, numbers, columns, line_height):
                    out[i] = _union([upper, lower])
                    del out[j]
                    joined = True
                    break
            if joined:
                break
    return out


def _joins(
    upper: Box,
    lower: Box,
    boxes: list[Box],
    spans: list[tuple[Box, list[Any]]],
    numbers: list[Box],
    columns: list[tuple[float, float]],
    line_height: float,
) -> bool:
    if lower[1] < upper[3] - MERGE_STACKED_LINES * line_height:
        return False
    if _column_of(upper, columns) != _column_of(lower, columns):
        return False
    overlap = min(upper[2], lower[2]) - max(upper[0], lower[0])
    if overlap < MERGE_OVERLAP * min(upper[2] - upper[0], lower[2] - lower[0]):
        return False
    left, right = min(upper[0], lower[0]), max(upper[2], lower[2])
    stack = [upper]
    for span, row in spans:
        middle = (span[1] + span[3]) / 2
        if not upper[1] <= middle <= lower[3] or span[2] <= left or span[0] >= right:
            continue
        between = upper[3] <= middle <= lower[1]
        # a row of the boxes was judged a display's already: only mostly words undo that
        if _wordy(span, row, share=None if between else EQUATION_PROSE_SHARE) and not _noted(
            row, line_height
        ):
            return False  # a sentence between two displays, or inside one of the boxes
        if between:
            if any(_overlap_share(span, b) > 0.3 for b in boxes):
                return False
            stack.append(span)
    stack.append(lower)
    if any(
        b[1] - a[3] > ROW_GAP_LINES * line_height for a, b in zip(stack, stack[1:], strict=False)
    ):
        return False
    return _count_numbers(_union([upper, lower]), numbers, columns) <= 1
