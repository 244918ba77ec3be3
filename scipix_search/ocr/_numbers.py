"""Equation numbers: finding a page's ``(n)`` and setting display boxes by them.

A typeset display is one numbered equation with its unnumbered continuation rows, so the
numbers decide the granularity of the display boxes: a box over the rows of several numbers
is split between them, stacked boxes sharing at most one number are merged, and a box ends
before its number (or starts after it, where the numbers are set on the left: ``leqno``, the
AMS classes' default). The numbers themselves are read from the text lines, including those the
OCR misread (``qd)`` for ``(1)``) or read as one line with the display before them. Split
out of ``ocr/_displays.py``; :mod:`scipix_search.ocr._tesseract` uses :data:`NUMBER` to keep
a number a line of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import is_dataclass, replace
from typing import Any

import numpy as np

from scipix_search.ingest import is_prose
from scipix_search.ocr._geometry import INK_BELOW, Box, Columns, _column_of, _overlap_share

#: ``(3)``, ``(12a)``, ``(2.4)``, ``(A1)``, ``(S3)``, ``(4-2)``: a printed equation number.
NUMBER = re.compile(r"^\(\s*[A-Z]?\s*\d{1,3}(?:\s*[.\-]\s*\d{1,3})?\s*[a-z]?\s*\)$")
# A piece of up to six characters opening or closing with a parenthesis, no wider than this
# many line heights and ending this close to its column's right edge, beside a row that is
# not prose, is an equation number the OCR misread (Tesseract reads ``(1)`` as ``qd)``).
MISREAD_NUMBER = re.compile(r"^(?:\(\S{1,5}|\S{1,5}\))$")
# A line that ends in a printed equation number after a space: a display row and its number
# the OCR read as one line.
TRAILING_NUMBER = re.compile(
    r"^(.*\S)\s+(\(\s*[A-Z]?\s*\d{1,3}(?:\s*[.\-]\s*\d{1,3})?\s*[a-z]?\s*\))$"
)
# A line that opens with a printed equation number at its column's left edge: a display
# row set after its number (``leqno``) that the OCR read as one line with it.
LEADING_NUMBER = re.compile(
    r"^(\(\s*[A-Z]?\s*\d{1,3}(?:\s*[.\-]\s*\d{1,3})?\s*[a-z]?\s*\))\s*(\S.*)$"
)
# A line starting this many line heights or more before its column's left edge starts in
# the gutter of a two-column page: no column's text does.
GUTTER_NUMBER_LINES = 0.5
MISREAD_NUMBER_WIDTH = 3.0
MISREAD_NUMBER_FLUSH = 1.0
# Boxes closer than this many text-line heights, one above the other, are rows of one display.
MERGE_GAP_LINES = 0.9
# Boxes overlapping horizontally by less than this share of the narrower are side by side.
MERGE_OVERLAP = 0.3
# A box whose top lies no higher than this many line heights over another's bottom is under it.
MERGE_STACKED_LINES = 0.25
# A number set on the left of its display (``leqno``) starts at its column's left edge: within
# this share of the column's width (a piece of a display read ``(414)`` lies inside it).
LEFT_NUMBER_FLUSH = 0.05
# Gap kept between an equation's ink and its number, in text-line heights.
NUMBER_GAP_LINES = 0.5
# A display's number is set this many line heights or more from its display (a quad or
# more); a sentence's ``(3)`` is a word space from the word before it.
NUMBER_SPACE_LINES = 1.0
# A display set after its number (``leqno``) starts this many line heights or more after it:
# ``fleqn``'s indent less the number's width leaves a quad or more (0.99-1.65 line heights
# on the typeset layouts grid), an enumerated item's text starts its label's separation
# (half a quad: 0.55-0.67) after it.
LEADING_SPACE_LINES = 0.85


def _numbers(
    lines: Sequence[Any],
    columns: list[tuple[float, float]],
    line_height: float,
    figures: Sequence[Box] = (),
) -> list[Box]:
    """The equation numbers of a page: pieces read as ``(n)``, and pieces the OCR misread
    (``qd)`` for ``(1)``) where they sit as a number is set: short, opening or closing with a
    parenthesis, flush with the right edge of their column, beside a row that is not prose,
    and not inside one of the page's sure ``figures`` (a plot's axis label, ``(z)``, read
    beside its tick labels is set like that too; a number read as ``(n)`` there still counts:
    the model takes a page of displays for a figure now and then)."""
    numbers = []
    for line in lines:
        text = line.text.strip()
        if NUMBER.match(text) or (
            _misread_number(line, text, lines, columns, line_height)
            and not any(_overlap_share(tuple(line.bbox), f) > 0.5 for f in figures)
        ):
            numbers.append(tuple(line.bbox))
    return numbers


def _part(line: Any, text: str, x0: float, x1: float) -> Any:
    """A piece of ``line``: its text and the share of its box that piece spans."""
    return replace(line, text=text, bbox=(x0, line.bbox[1], x1, line.bbox[3]))


def _detach_numbers(
    lines: Sequence[Any], columns: Columns, line_height: float, grey: np.ndarray | None = None
) -> list[Any]:
    """Lines that end in an equation number, read as one line with the display before it
    (``V(k). (11)``), as two: the display and its number, the number's box the share of the
    line's width its characters take. Only where the line ends flush with its column's right
    edge and what precedes the number is not prose (a sentence ending ``... in (3)``), or,
    with the page's ``grey`` pixels, where a space wider than a line height parts the number
    from the rest (a display the OCR read as words, ``vrestored(h, B)``; a sentence's number
    is one word space away): the line is then cut at that space."""
    out: list[Any] = []
    for line in lines:
        text = line.text.strip()  # before is_dataclass() narrows the line's type
        match = TRAILING_NUMBER.match(text)
        box = tuple(line.bbox)
        leading = _leading_number(line, text, box, columns, line_height, grey)
        if leading is not None:
            out.extend(leading)
            continue
        if (
            match is None
            or not is_dataclass(line)  # the OCR's TextLine (tests may pass other lines)
            or abs(box[2] - _column_of(box, columns)[1]) > MISREAD_NUMBER_FLUSH * line_height
        ):
            out.append(line)
            continue
        body, number = match.group(1), match.group(2)
        cut = box[2] - (box[2] - box[0]) * len(number) / max(len(text), 1)
        ends = (cut, cut)
        if is_prose(body):
            spaced = None if grey is None else _number_space(box, grey, line_height)
            if spaced is None:
                out.append(line)
                continue
            ends = spaced
        out.append(_part(line, body, box[0], ends[0]))
        out.append(_part(line, number, ends[1], box[2]))
    return out


def _leading_number(
    line: Any,
    text: str,
    box: Box,
    columns: Columns,
    line_height: float,
    grey: np.ndarray | None,
) -> list[Any] | None:
    """A line read as a number set on the left (``leqno``) and the display row after it
    (``(1)QL-LQ=``), as two at the space between them: only where the line starts flush
    with its column's left edge (:data:`LEFT_NUMBER_FLUSH`), what follows the number is not
    prose, and a space of :data:`LEADING_SPACE_LINES` or more parts them in the ink (a
    display is set about a quad or more from its number; an enumerated item ``(1) a set of
    sorts: X, Y`` half a quad from its label). A line starting in the gutter before its
    column (:data:`GUTTER_NUMBER_LINES`) is the number of the column to the left read with
    this column's words: two lines at the column's edge. None where it is no such line."""
    match = LEADING_NUMBER.match(text)
    if match is None or grey is None or not is_dataclass(line):
        return None
    column = _column_of(box, columns)
    if box[0] - column[0] > LEFT_NUMBER_FLUSH * (column[1] - column[0]):
        return None
    number, body = match.group(1), match.group(2)
    if column[0] - box[0] > GUTTER_NUMBER_LINES * line_height:
        # the line starts in the gutter: the number set at the right of the column to the
        # left, read into one line with this column's text (``(3) efficient fixed.``)
        return [_part(line, number, box[0], column[0]), _part(line, body, column[0], box[2])]
    if is_prose(body):
        return None
    spaced = _leading_space(box, grey, line_height)
    if spaced is None:
        return None
    return [_part(line, number, box[0], spaced[0]), _part(line, body, spaced[1], box[2])]


def _ink_gaps(
    box: Box, grey: np.ndarray, line_height: float, space: float = NUMBER_SPACE_LINES
) -> tuple[int, np.ndarray, np.ndarray] | None:
    """The line's inked columns (offsets from its left edge, returned first) and the indices
    into them where a space wider than ``space`` line heights follows; None where the line
    has no ink or no such space."""
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(grey.shape[1], int(np.ceil(box[2]))), min(grey.shape[0], int(np.ceil(box[3])))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    inked = np.nonzero((grey[y0:y1, x0:x1] < INK_BELOW).sum(axis=0) >= 2)[0]
    if inked.size < 2:
        return None
    gaps = np.nonzero(np.diff(inked) > space * line_height)[0]
    if gaps.size == 0:
        return None
    return x0, inked, gaps


def _leading_space(box: Box, grey: np.ndarray, line_height: float) -> tuple[float, float] | None:
    """The first space in the line's ink wider than ``LEADING_SPACE_LINES`` line heights,
    where what precedes it is no wider than a number (:data:`MISREAD_NUMBER_WIDTH`): its
    left and right ends; None where there is no such space."""
    found = _ink_gaps(box, grey, line_height, LEADING_SPACE_LINES)
    if found is None:
        return None
    x0, inked, gaps = found
    left, right = x0 + inked[gaps[0]] + 1, x0 + inked[gaps[0] + 1]
    if left - (x0 + inked[0]) > MISREAD_NUMBER_WIDTH * line_height:
        return None
    return float(left), float(right)


def _number_space(box: Box, grey: np.ndarray, line_height: float) -> tuple[float, float] | None:
    """The last space in the line's ink wider than ``NUMBER_SPACE_LINES`` line heights, where
    what follows it is no wider than a number (:data:`MISREAD_NUMBER_WIDTH`): its left and
    right ends; None where there is no such space."""
    found = _ink_gaps(box, grey, line_height)
    if found is None:
        return None
    x0, inked, gaps = found
    left, right = x0 + inked[gaps[-1]] + 1, x0 + inked[gaps[-1] + 1]
    if x0 + inked[-1] + 1 - right > MISREAD_NUMBER_WIDTH * line_height:
        return None
    return float(left), float(right)


def _misread_number(
    line: Any,
    text: str,
    lines: Sequence[Any],
    columns: list[tuple[float, float]],
    line_height: float,
) -> bool:
    box = tuple(line.bbox)
    if not MISREAD_NUMBER.match(text) or box[2] - box[0] > MISREAD_NUMBER_WIDTH * line_height:
        return False
    column = _column_of(box, columns)
    if abs(box[2] - column[1]) > MISREAD_NUMBER_FLUSH * line_height:
        return False
    centre = (box[1] + box[3]) / 2
    beside = [
        other
        for other in lines
        if other is not line
        and other.bbox[1] <= centre <= other.bbox[3]
        and other.bbox[2] <= box[0] - line_height
        and _column_of(tuple(other.bbox), columns) == column
    ]
    return bool(beside) and not is_prose(" ".join(other.text for other in beside))


def _row_of(number: Box, box: Box, columns: Columns) -> bool:
    """The number sits on the box's rows, at its right, in the column where the box ends
    (the next column's numbers are its own displays'), or, set on the left (``leqno``: the
    AMS classes' default), at its left in the column where the box starts."""
    centre = (number[1] + number[3]) / 2
    if not box[1] <= centre <= box[3]:
        return False
    if number[0] >= (box[0] + box[2]) / 2:
        end = (box[2], box[1], box[2], box[3])
        return _column_of(number, columns) == _column_of(end, columns)
    start = (box[0], box[1], box[0], box[3])
    column = _column_of(start, columns)
    return (
        number[2] <= (box[0] + box[2]) / 2
        and _column_of(number, columns) == column
        and number[0] - column[0] <= LEFT_NUMBER_FLUSH * (column[1] - column[0])
    )


def _split(box: Box, numbers: list[Box], columns: Columns, lines: Sequence[Any] = ()) -> list[Box]:
    """One box per number on its rows, cut between consecutive numbers: halfway between
    them, or higher where ``lines`` show the lower row reaching above that (a fraction's
    numerator over its number): at the top of the highest line on the lower number's rows
    whose middle is under the halfway mark."""
    mine = sorted((n for n in numbers if _row_of(n, box, columns)), key=lambda n: n[1])
    if len(mine) < 2:
        return [box]
    # the box's own lines: inside it across, in its numbers' column, left of them
    beside = [
        tuple(line.bbox)
        for line in lines
        if box[0] < line.bbox[2] <= mine[0][0]
        and _column_of(tuple(line.bbox), columns) == _column_of(mine[0], columns)
    ]
    cuts = [box[1]]
    for upper, lower in zip(mine, mine[1:], strict=False):
        halfway = (upper[3] + lower[1]) / 2
        tops = [
            b[1]
            for b in beside
            if b[1] < halfway < (b[1] + b[3]) / 2 and b[1] < lower[3] and b[3] > lower[1]
        ]
        cuts.append(max(upper[3], min(tops)) if tops else halfway)
    cuts.append(box[3])
    return [(box[0], top, box[2], bottom) for top, bottom in zip(cuts, cuts[1:], strict=False)]


def _count_numbers(box: Box, numbers: list[Box], columns: Columns) -> int:
    return sum(_row_of(n, box, columns) for n in numbers)


def _merge(boxes: list[Box], numbers: list[Box], columns: Columns, line_height: float) -> list[Box]:
    """Stacked boxes of one display (close, at most one number) as one: boxes overlapping in
    x, or one under the other in one column however far apart across (the rows of a
    ``multline``, the first set left and the last right; a ``split`` row that opens with
    ``=`` under a short left side)."""
    merged: list[Box] = []
    for box in sorted(boxes, key=lambda b: b[1]):
        # the box above it is the last one it overlaps in x, or the last one of its column
        # that it lies under (a box of the other column may lie between them in top-to-bottom
        # order)
        above = [
            i
            for i, last in enumerate(merged)
            if min(last[2], box[2]) - max(last[0], box[0])
            >= MERGE_OVERLAP * min(last[2] - last[0], box[2] - box[0])
        ]
        # or one it lies under in its column however far apart across, where that one lies
        # between it and the box it overlaps (a multline's last row, set right, under its
        # first, set left, and a display further up the column over the last row): only
        # under that box, not beside it (on a page whose two columns were not told apart,
        # the box beside it in the other column would lie "above" too)
        stacked = MERGE_STACKED_LINES * line_height
        under = [
            i
            for i, last in enumerate(merged)
            if box[1] >= last[3] - stacked
            and _column_of(box, columns) == _column_of(last, columns)
            and (not above or last[1] >= merged[above[-1]][3] - stacked)
        ]
        above = under[-1:] or above
        if above:
            last = merged[above[-1]]
            union = (min(last[0], box[0]), last[1], max(last[2], box[2]), max(last[3], box[3]))
            if (
                box[1] - last[3] <= MERGE_GAP_LINES * line_height
                and _count_numbers(union, numbers, columns) <= 1
            ):
                merged[above[-1]] = union
                continue
        merged.append(box)
    return merged


def _end_before_number(box: Box, numbers: list[Box], columns: Columns, line_height: float) -> Box:
    """The box ended short of a number at its right that it reaches over, or started after
    one at its left."""
    gap = NUMBER_GAP_LINES * line_height
    for number in numbers:
        if not _row_of(number, box, columns):
            continue
        if number[0] >= (box[0] + box[2]) / 2:
            if number[0] < box[2]:
                return (box[0], box[1], min(box[2], number[0] - gap), box[3])
        elif number[2] > box[0]:
            return (max(box[0], number[2] + gap), box[1], box[2], box[3])
    return box
