"""Rows: the page's text lines gathered into rows, and a display cut into its equation rows.

The text OCR reads a display row in pieces (a fraction's numerator over the row's middle, a
number apart), and the display rules judge a row as a whole: its text (prose or not, opening
with a relation that continues the row above) and its span. :func:`display_rows` cuts one
display box into the equation rows the formula OCR reads one at a time, by the same
continuation rule. Split out of ``ocr/_displays.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from scipix_search.ingest import is_prose
from scipix_search.ocr._geometry import INK_BELOW, Box, _column_of, _union

# A row opening with a relation or operator continues the display row above it.
CONTINUATION = re.compile(r"^[=+\-−<>≤≥≈≃≅≡∼~×·⇒⇔→←↔∈⊂⊆∝]")


# Rows of a display candidate closer than this many line heights are one display.
ROW_GAP_LINES = 0.9


def _same_row(row: list[Any], line: Any) -> bool:
    """``line`` is on ``row``: its vertical centre lies inside the row's span, or the row's
    centre inside the line's (a display row the OCR read in pieces: a fraction's numerator
    over the row's middle). A prose line and a piece of a formula must be on one row both
    ways: a line of words ending over a display's numerator reaches into its span by a
    pixel more or less with the OCR's boxes, and the display would take the sentence."""
    top, bottom = _union([tuple(x.bbox) for x in row])[1::2]
    inside = top <= (line.bbox[1] + line.bbox[3]) / 2 <= bottom
    spans = line.bbox[1] <= (top + bottom) / 2 <= line.bbox[3]
    if _sentence(_row_text(row)) != _sentence(line.text):
        return inside and spans
    return inside or spans


def _sentence(text: str) -> bool:
    """Words of prose, more than one (one capitalised run, ``∂MAM``, is a formula's piece)."""
    return len(text.split()) >= 2 and is_prose(text)


def _rows(lines: Sequence[Any], columns: list[tuple[float, float]]) -> list[list[Any]]:
    """The page's lines as rows of one column (:func:`_same_row`), top to bottom."""
    rows: list[list[Any]] = []
    for column in columns:
        mine = sorted(
            (line for line in lines if _column_of(tuple(line.bbox), columns) == column),
            key=lambda line: line.bbox[1],
        )
        for line in mine:
            if rows and rows[-1][0] in mine and _same_row(rows[-1], line):
                rows[-1].append(line)
                continue
            rows.append([line])
    return rows


def _row_text(row: Sequence[Any]) -> str:
    """A row's text, its pieces left to right."""
    return " ".join(x.text for x in sorted(row, key=lambda x: x.bbox[0]))


#: A display row's note (``(for each x ∈ Q)``, a ``cases`` row's ``if x > 0``) is set this
#: many line heights or more after the row's formula; the words of a sentence a word space.
NOTE_SPACE_LINES = 1.0
# A bare number or capitals (a heading's ``3.1``, ``IV.``) before a wide space is no formula.
_NO_FORMULA = re.compile(r"^[\dA-Z.\s]*$")


def _noted(row: Sequence[Any], line_height: float) -> bool:
    """A display row with a note: its pieces up to a space of :data:`NOTE_SPACE_LINES` or more
    are a formula (not prose, not a bare number), and the pieces after it words. The words
    of the note make the row's text prose, but a sentence's words are a word space apart,
    and the text OCR cuts a line at a space that wide."""
    pieces = sorted(row, key=lambda x: x.bbox[0])
    for k in range(1, len(pieces)):
        head, tail = pieces[:k], pieces[k:]
        gap = tail[0].bbox[0] - max(x.bbox[2] for x in head)
        if gap < NOTE_SPACE_LINES * line_height:
            continue
        formula = _row_text(head)
        return (
            not is_prose(formula) and not _NO_FORMULA.match(formula) and is_prose(_row_text(tail))
        )
    return False


def _continues(text: str) -> bool:
    """A display row that opens with a relation or operator continues the row above."""
    return bool(CONTINUATION.match(text.strip()))


def _spans(rows: list[list[Any]], numbers: list[Box]) -> list[tuple[Box, list[Any]]]:
    """Each row's box (its number left out) with its lines, top to bottom."""
    spans = [
        (
            _union([tuple(x.bbox) for x in row if tuple(x.bbox) not in numbers] or [row[0].bbox]),
            row,
        )
        for row in rows
    ]
    return sorted(spans, key=lambda s: s[0][1])


def _row_boxes(
    box: Box, grey: np.ndarray | None, line_height: float, lines: Sequence[Any]
) -> tuple[Box, ...]:
    """A display's equation rows where it has two or more (read one by one), else none."""
    if grey is None:
        return ()
    rows = display_rows(box, grey, line_height, lines)
    return tuple(rows) if len(rows) > 1 else ()


#: Blank space between two equation rows of one display, in text-line heights: less is the
#: space inside a row (a fraction's bar, a limit under its sum, a script).
ROW_SPLIT_GAP_LINES = 0.25
#: A band of ink lower than this many line heights is no row of its own (scripts, limits).
ROW_MIN_HEIGHT_LINES = 0.6
#: A relation in an equation row's text: both rows hold one, or the lower opens with one.
RELATION = re.compile(r"[=<>≤≥≈≃≅≡∼~⇒⇔→←↔∈⊂⊆∝]")


def display_rows(
    box: Box, grey: np.ndarray, line_height: float, lines: Sequence[Any] = ()
) -> list[Box]:
    """The equation rows of one display (an ``align``'s rows, a ``split``'s continuation
    lines), as the born-digital path reads a multi-row region row by row: the formula OCR
    reads one line at a time, and a whole multi-row crop it reads as a jumbled ``array``.

    Rows are bands of ink separated by blank space across the whole box; a cut is kept only
    where the row below opens with a relation or operator, or both rows hold a relation (the
    born-digital rule, ``ingest/pdf/_rows.equation_rows``), judged on the text lines that lie
    in each band. A matrix or ``cases`` has a delimiter across its rows, so no blank space
    and one row.

    Returns:
        The row boxes, top to bottom; ``[box]`` when the display is one row.
    """
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(grey.shape[1], int(np.ceil(box[2]))), min(grey.shape[0], int(np.ceil(box[3])))
    if x1 - x0 < 2 or y1 - y0 < 2 * ROW_MIN_HEIGHT_LINES * line_height:
        return [box]
    ink = grey[y0:y1, x0:x1] < INK_BELOW
    inked = np.nonzero(ink.sum(axis=1) >= 2)[0]  # a lone noise pixel is no ink
    if inked.size == 0:
        return [box]
    # bands of inked rows, joined across gaps narrower than a row's own spaces
    bands: list[list[int]] = [[int(inked[0]), int(inked[0])]]
    for y in inked[1:]:
        if y - bands[-1][1] - 1 < ROW_SPLIT_GAP_LINES * line_height:
            bands[-1][1] = int(y)
        else:
            bands.append([int(y), int(y)])
    # a thin band (a limit, a script line) joins its nearer neighbour
    k = 0
    while len(bands) > 1 and k < len(bands):
        top, bottom = bands[k]
        if bottom - top + 1 >= ROW_MIN_HEIGHT_LINES * line_height:
            k += 1
            continue
        above = top - bands[k - 1][1] if k > 0 else np.inf
        below = bands[k + 1][0] - bottom if k + 1 < len(bands) else np.inf
        j = k - 1 if above <= below else k + 1
        bands[min(j, k)] = [min(bands[j][0], top), max(bands[j][1], bottom)]
        del bands[max(j, k)]
        k = 0
    if len(bands) < 2:
        return [box]

    def text(band: list[int]) -> str:
        inside = [
            line
            for line in lines
            if y0 + band[0] <= (line.bbox[1] + line.bbox[3]) / 2 <= y0 + band[1]
            and line.bbox[0] < x1
            and line.bbox[2] > x0
        ]
        return _row_text(inside)

    rows = [bands[0]]
    for band in bands[1:]:
        upper, lower = text(rows[-1]), text(band)
        if _continues(lower) or (RELATION.search(upper) and RELATION.search(lower)):
            rows.append(band)
        else:
            rows[-1] = [rows[-1][0], band[1]]
    if len(rows) < 2:
        return [box]
    out = []
    for top, bottom in rows:
        cols = np.nonzero(ink[top : bottom + 1].sum(axis=0) >= 2)[0]  # noise is no ink
        left, right = (x0 + cols[0], x0 + cols[-1] + 1) if cols.size else (x0, x1)
        out.append((float(left), float(y0 + top), float(right), float(y0 + bottom + 1)))
    return out
