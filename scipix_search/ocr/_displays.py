"""Display equations of a page image: the layout model's boxes, set right by the page's text lines.

The layout model sees a display equation well but draws it at its own granularity: one box
over two numbered rows of an ``align``, a box per row of a multi-row display, now and then a
display called ``text``. The page's text OCR already knows what decides the granularity of a
typeset paper: the equation numbers ``(n)``, right-aligned on their row. One display region
is one numbered equation (with its unnumbered continuation rows), which is how the regions of
a born-digital PDF are drawn (the number excluded), so the boxes are

* split where one box holds the rows of several numbers;
* cut at the rows of prose inside them (a box over two displays and the sentence between
  them, or over a display and the sentence that leads into it);
* merged where boxes stacked closely, one under the other, share at most one number;
* added where a number has display ink to its left that no equation box covers;
* grown over the rows next to them that continue them (a row opening with ``=`` or another
  relation or operator, as the continuation rows of a multi-row display do);
* widened along their rows to the ink that continues them (spaces under a line height) and
  trimmed to their ink, as the born-digital regions hug their glyphs;
* ended before the number when they reach over it;
* added where the model boxes nothing: rows set centred in their column (or carrying a
  number) whose text is not words, outside figures and tables, with the not-word rows under
  them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import is_dataclass, replace
from typing import Any

import numpy as np

from scipix_search.ingest import PROSE_MIN_CHARS, is_prose, word_share
from scipix_search.ocr._layout import EQUATION, Region

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
MISREAD_NUMBER_WIDTH = 3.0
MISREAD_NUMBER_FLUSH = 1.0
# Boxes closer than this many text-line heights, one above the other, are rows of one display.
MERGE_GAP_LINES = 0.9
# Boxes overlapping horizontally by less than this share of the narrower are side by side.
MERGE_OVERLAP = 0.3
# A box whose top lies no higher than this many line heights over another's bottom is under it.
MERGE_STACKED_LINES = 0.25
# Gap kept between an equation's ink and its number, in text-line heights.
NUMBER_GAP_LINES = 0.5
# A display's number is set this many line heights or more from its display (a quad or
# more); a sentence's ``(3)`` is a word space from the word before it.
NUMBER_SPACE_LINES = 1.0
# A display is set in from each edge of its column by at least this share of its width ...
CENTRED_INSET = 0.05
# ... and about as far from one edge as from the other.
CENTRED_SKEW = 0.25
# A region the model calls an equation (scored under its cut) is prose only when this much
# of its text is words: the model's class is evidence against the words the OCR made of it.
EQUATION_PROSE_SHARE = 0.7
# Text of Latin letters and punctuation alone, two words or more, one of them of four letters
# or more with a capital, is a name or a heading, no formula (an author line ``Bo Y.-C.
# Ning``; a heading in small capitals read ``IL. ANALysIs``).
LETTERS = re.compile(r"[A-Za-z]+")
LETTERS_ONLY = re.compile(r"^\s*[A-Za-z][A-Za-z.,;:'’&]*(?:[\s\-]+[A-Za-z][A-Za-z.,;:'’&\-]*)+\s*$")
# Regions scored down to this are looked at by the lines (the detector's own cut is 0.5).
WEAK_CONFIDENCE = 0.2
# Regions of these kinds may be displays the model called otherwise, if no taller than this.
RECOVERABLE = (EQUATION, "text", "title", "reference")
MAX_RECOVERED_LINES = 4.5
MIN_RECOVERED_WIDTH = 4.0
MIN_WIDTH_LINES = 2.0
# Ink this close (in line heights) beside a box, on its rows, is more of its display.
EXTEND_GAP_LINES = 1.0
# A row opening with a relation or operator continues the display row above it.
CONTINUATION = re.compile(r"^[=+\-−<>≤≥≈≃≅≡∼~×·⇒⇔→←↔∈⊂⊆∝]")

# Regions of these kinds, scored this high, hold no display (labels of plots, table cells).
NOT_PROSE_KINDS = ("figure", "table", "header", "footer")
SURE_KIND = 0.5
# A "figure" this much of whose height is lines of a paragraph is a page of text.
FIGURE_PROSE_SHARE = 0.5
# Rows of a display candidate closer than this many line heights are one display.
ROW_GAP_LINES = 0.9
# A paragraph's lines start within this many line heights of their column's left edge.
PARAGRAPH_INDENT_LINES = 1.5
# Grey levels under this are ink (scans: dark glyphs on light paper).
INK_BELOW = 150

Box = tuple[float, float, float, float]
Columns = list[tuple[float, float]]


def _line_height(lines: Sequence[Any]) -> float:
    heights = sorted(line.bbox[3] - line.bbox[1] for line in lines)
    return float(heights[len(heights) // 2]) if heights else 20.0


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


def _number_space(box: Box, grey: np.ndarray, line_height: float) -> tuple[float, float] | None:
    """The last space in the line's ink wider than ``NUMBER_SPACE_LINES`` line heights, where
    what follows it is no wider than a number (:data:`MISREAD_NUMBER_WIDTH`): its left and
    right ends; None where there is no such space."""
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(grey.shape[1], int(np.ceil(box[2]))), min(grey.shape[0], int(np.ceil(box[3])))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    inked = np.nonzero((grey[y0:y1, x0:x1] < INK_BELOW).sum(axis=0) >= 2)[0]
    if inked.size < 2:
        return None
    gaps = np.nonzero(np.diff(inked) > NUMBER_SPACE_LINES * line_height)[0]
    if gaps.size == 0:
        return None
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
    (the next column's numbers are its own displays')."""
    centre = (number[1] + number[3]) / 2
    end = (box[2], box[1], box[2], box[3])
    return (
        box[1] <= centre <= box[3]
        and number[0] >= (box[0] + box[2]) / 2
        and _column_of(number, columns) == _column_of(end, columns)
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
        if not above:
            # only where no box above overlaps it across: on a page whose two columns were
            # not told apart, the box beside it in the other column would lie "above" too
            above = [
                i
                for i, last in enumerate(merged)
                if box[1] >= last[3] - MERGE_STACKED_LINES * line_height
                and _column_of(box, columns) == _column_of(last, columns)
            ]
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
    for number in numbers:
        if _row_of(number, box, columns) and number[0] < box[2]:
            return (box[0], box[1], min(box[2], number[0] - NUMBER_GAP_LINES * line_height), box[3])
    return box


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
    middle = (min(b[0] for b in long) + max(b[2] for b in long)) / 2
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


def _centred(box: Box, column: tuple[float, float]) -> bool:
    """Set in from both edges of its column, about equally: how displays are typeset."""
    width = column[1] - column[0]
    left, right = box[0] - column[0], column[1] - box[2]
    return (
        left >= CENTRED_INSET * width
        and right >= CENTRED_INSET * width
        and abs(left - right) <= CENTRED_SKEW * width
    )


def _wordy(box: Box, lines: Sequence[Any], share: float | None = None) -> bool:
    """The lines inside are prose (``ingest.is_prose``: mostly words, not symbols), or, with
    ``share``, at least that share of their characters lie in words; or they are letters and
    punctuation alone with a word of four letters or more that is not all lower case (a name
    with its initials, a heading: no sign, digit or symbol of a formula).

    A line counts as inside when half of it lies in the box, or half of the box in it: a box
    the model drew over a few words in the middle of a prose line (inline math, a phrase it
    called ``text``) holds no half of that line, but it is that line's."""
    text = " ".join(
        line.text
        for line in lines
        if _overlap_share(line.bbox, box) >= 0.5 or _overlap_share(box, line.bbox) >= 0.5
    )
    if LETTERS_ONLY.match(text) and any(
        len(word) >= 4 and not word.islower() for word in LETTERS.findall(text)
    ):
        return True
    return is_prose(text) if share is None else bool(text.strip()) and word_share(text) >= share


def _on_number_row(
    number: Box, region: Box, line_height: float, columns: list[tuple[float, float]]
) -> bool:
    """The number is on the region's rows, to its right, in the column where the region ends
    (a number of the other column's display is not this region's)."""
    centre = (number[1] + number[3]) / 2
    end = (region[2], region[1], region[2], region[3])
    return (
        _column_of(number, columns) == _column_of(end, columns)
        and region[1] - 0.3 * line_height <= centre <= region[3] + 0.3 * line_height
        and region[0] < number[0]
        and region[2] <= number[2] + line_height
        and region[3] - region[1] <= MAX_RECOVERED_LINES * line_height
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


def _union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


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
) -> list[Box]:
    """Displays the model boxed nowhere, found from the lines alone: rows set centred in their
    column (or carrying a number at the right) whose text is not words, with the rows under
    them that are not words either (the continuation rows of a multi-row display), outside
    the page's sure ``figures``."""
    found: list[Box] = []
    group: list[Box] = []

    def flush() -> None:
        if group and _count_numbers(_union(group), numbers, columns) <= 1:
            found.append(_union(group))
        group.clear()

    for row in _rows(lines, columns):
        maths = [tuple(x.bbox) for x in row if tuple(x.bbox) not in numbers]
        if not maths:
            continue
        box = _union(maths)
        numbered = any(_on_number_row(n, box, line_height, columns) for n in numbers)
        # a row with an equation number is a display even inside what the model took for a
        # figure (figures and tables carry no right-aligned (n))
        free = not any(_overlap_share(box, b) > 0.3 for b in taken) and (
            numbered or not any(_overlap_share(box, b) > 0.3 for b in figures)
        )
        plain = free and not _wordy(box, row)
        if group and plain and box[1] - group[-1][3] <= ROW_GAP_LINES * line_height:
            group.append(box)
            continue
        flush()
        if not plain or box[2] - box[0] < MIN_RECOVERED_WIDTH * line_height:
            continue
        if numbered or _centred(box, _column_of(box, columns)):
            group.append(box)
    flush()
    return found


def _row_text(row: Sequence[Any]) -> str:
    """A row's text, its pieces left to right."""
    return " ".join(x.text for x in sorted(row, key=lambda x: x.bbox[0]))


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


def _grow(
    boxes: list[Box],
    rows: list[list[Any]],
    numbers: list[Box],
    columns: Columns,
    *,
    line_height: float,
) -> list[Box]:
    """Each display box takes the rows next to it that continue it: a row under it that opens
    with a relation or operator, and the row above its own first row when that row opens so
    (and is not prose). That row above may end left of where the box starts (a ``multline``
    or a long left side: ``[L, V]`` over ``= e^{...} V``), within the box's column."""
    spans = _spans(rows, numbers)
    out: list[Box] = []
    for box in boxes:
        changed = True
        while changed:
            changed = False
            first_continues = _first_continues(box, spans)
            for span, row in spans:
                overlap = min(span[2], box[2]) - max(span[0], box[0])
                if _overlap_share(span, box) > 0.5:
                    continue
                text = _row_text(row)
                below = 0 <= span[1] - box[3] <= ROW_GAP_LINES * line_height
                above = 0 <= box[1] - span[3] <= ROW_GAP_LINES * line_height
                lead = (
                    above
                    and first_continues
                    and span[0] < box[0]
                    and _column_of(span, columns) == _column_of(box, columns)
                )
                if overlap <= 0 and not lead:
                    continue
                if (
                    below
                    and _continues(text)
                    or above
                    and (_continues(text) or first_continues and not _wordy(span, row))
                ):
                    if any(_overlap_share(span, other) > 0.5 for other in boxes if other != box):
                        continue
                    box = _union([box, span])
                    changed = True
                    break
        out.append(box)
    return out


def _prose_row(
    span: Box, row: list[Any], numbers: list[Box], columns: Columns, line_height: float
) -> bool:
    """A line of a paragraph: prose text carrying no number, long or starting at its
    column's left edge (words the OCR made of a display's glyphs are short and set in)."""
    text = _row_text(row)
    return (
        not any(tuple(x.bbox) in numbers for x in row)
        and is_prose(text)
        and (
            is_prose(text, PROSE_MIN_CHARS)
            or span[0] - _column_of(span, columns)[0] <= PARAGRAPH_INDENT_LINES * line_height
        )
    )


def _trim_prose(
    box: Box,
    rows: list[list[Any]],
    numbers: list[Box],
    columns: list[tuple[float, float]],
    line_height: float,
) -> Box:
    """The box without the rows of prose at its top and bottom (a box the model drew over a
    display and the sentence that leads into it, or out of it): a row of the box whose text
    is prose and carries no number is cut off, from either end, until a row that is not."""
    inside = [span for span in _spans(rows, numbers) if _overlap_share(span[0], box) > 0.5]

    def prose(span: Box, row: list[Any]) -> bool:
        return _prose_row(span, row, numbers, columns, line_height)

    first, last = 0, len(inside)
    while last - first > 1 and prose(*inside[first]):
        first += 1
    while last - first > 1 and prose(*inside[last - 1]):
        last -= 1
    if (first, last) == (0, len(inside)):
        return box
    spans = [span for span, _ in inside]
    return _rows_box(box, spans[first:last], spans[:first], spans[last:]) or box


def _clear_prose(
    box: Box,
    rows: list[list[Any]],
    numbers: list[Box],
    columns: Columns,
    line_height: float,
) -> Box:
    """The box's top and bottom moved off the prose rows they cut through. A box the model
    drew a few pixels into the sentence above or below its display holds too little of that
    row for :func:`_trim_prose` to count it as one of its rows, but enough of its ink that
    the box, widened along its rows to their ink and trimmed to it, takes in the sentence
    (and its width)."""
    top, bottom = box[1], box[3]
    for span, row in _spans(rows, numbers):
        if min(span[2], box[2]) <= max(span[0], box[0]) or span[3] <= top or span[1] >= bottom:
            continue  # beside the box, or above or under it
        if not _prose_row(span, row, numbers, columns, line_height):
            continue
        if span[1] < top < span[3]:
            top = span[3]
        elif span[1] < bottom < span[3]:
            bottom = span[1]
    if bottom - top < ROW_MIN_HEIGHT_LINES * line_height:
        return box  # nothing of a display would be left: the rows decide elsewhere
    return (box[0], top, box[2], bottom)


def _rows_box(
    box: Box, spans: list[Box], above: Sequence[Box] = (), below: Sequence[Box] = ()
) -> Box | None:
    """``box`` cut to the height of ``spans`` (its rows), and clear of the prose rows cut off
    ``above`` and ``below`` it (the line boxes of neighbouring rows overlap, and the ink of a
    prose row left inside the box would widen it to the prose when it is trimmed to its ink);
    None where nothing is left."""
    top = max(box[1], min(span[1] for span in spans))
    bottom = min(box[3], max(span[3] for span in spans))
    if above:
        top = max(top, min(max(span[3] for span in above), (top + bottom) / 2))
    if below:
        bottom = min(bottom, max(min(span[1] for span in below), (top + bottom) / 2))
    return (box[0], top, box[2], bottom) if bottom > top else None


def _cut_prose(
    box: Box,
    rows: list[list[Any]],
    numbers: list[Box],
    columns: list[tuple[float, float]],
    line_height: float,
) -> list[Box]:
    """The box cut at the rows of prose inside it: one box per run of rows that are not
    prose (a box the model drew over two displays and the sentence between them, or over a
    display and the sentence before it); the box as it is where it holds no such run."""
    inside = [span for span in _spans(rows, numbers) if _overlap_share(span[0], box) > 0.5]
    prose = [_prose_row(span, row, numbers, columns, line_height) for span, row in inside]
    runs: list[list[int]] = [[]]
    for i, is_prose_row in enumerate(prose):
        if is_prose_row:
            runs.append([])
        else:
            runs[-1].append(i)
    runs = [run for run in runs if run]
    if not runs or (len(runs) == 1 and len(runs[0]) == len(inside)):
        return [box]
    spans = [span for span, _ in inside]
    cuts = []
    for run in runs:
        # the prose rows right above and under the run bound it
        above = [spans[run[0] - 1]] if run[0] > 0 and prose[run[0] - 1] else []
        below = [spans[run[-1] + 1]] if run[-1] + 1 < len(spans) and prose[run[-1] + 1] else []
        cuts.append(_rows_box(box, [spans[i] for i in run], above, below))
    out = [cut for cut in cuts if cut is not None]
    return out or [box]


def _first_continues(box: Box, spans: list[tuple[Box, list[Any]]]) -> bool:
    for span, row in spans:
        if _overlap_share(span, box) > 0.5:
            return _continues(_row_text(row))
    return False


def _line_extend(box: Box, lines: Sequence[Any], numbers: list[Box], columns: Columns) -> Box:
    """The box widened to the text lines it cuts across: a line whose middle lies in the
    box's height and that reaches past its left or right edge, no number and not mostly words
    (:data:`EQUATION_PROSE_SHARE`: the OCR makes words of a display's names). The
    text OCR reads a display row as one line across the wide spaces between its parts (``A
    \\quad B``, a definition's two sides), where the layout model may box one part and the
    ink of the other lies more than a gap away; a line of prose beside a box is not its own."""
    column = _column_of(box, columns)
    x0, x1 = box[0], box[2]
    for line in lines:
        span = tuple(line.bbox)
        middle = (span[1] + span[3]) / 2
        if (
            not box[1] <= middle <= box[3]
            or min(span[2], box[2]) <= max(span[0], box[0])  # beside the box, not across it
            or span in numbers
            or _column_of(span, columns) != column
            or word_share(line.text) >= EQUATION_PROSE_SHARE
        ):
            continue
        x0, x1 = min(x0, span[0]), max(x1, span[2])
    return (x0, box[1], x1, box[3])


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
    pieces = [
        (cut, score)
        for box, score in pieces
        for cut in _cut_prose(box, page_rows, numbers, columns, height)
    ]
    boxes = _merge([box for box, _ in pieces], numbers, columns, height)
    boxes = _grow(boxes, page_rows, numbers, columns, line_height=height)

    def confidence(box: Box) -> float:
        return max((c for b, c in pieces if b[1] >= box[1] - 1 and b[3] <= box[3] + 1), default=0.0)

    scored = [
        (
            _clear_prose(
                _trim_prose(box, page_rows, numbers, columns, height),
                page_rows,
                numbers,
                columns,
                height,
            ),
            confidence(box),
        )
        for box in boxes
    ]
    # a box over part of a display row takes the whole of the text line it cuts across
    scored = [(_line_extend(box, lines, numbers, columns), c) for box, c in scored]
    if grey is not None:
        # the model's boxes set to the display's ink: widened along their rows, then trimmed
        scored = [
            (_ink_box(_ink_extend(box, grey, _column_of(box, columns), numbers, height), grey), c)
            for box, c in scored
        ]
    # a page number under (or over) the last display of a page is no part of it
    folios = _folios(lines, height)
    scored = [(_off_folios(box, folios, grey), c) for box, c in scored]
    # after the merge: a display found by its own rows is kept apart from its neighbours
    scored += [
        (box, WEAK_CONFIDENCE)
        for box in _line_candidates(lines, figures, taken + boxes, numbers, columns, height)
    ]
    ended = [(_end_before_number(box, numbers, columns, height), score) for box, score in scored]
    out = [
        Region(EQUATION, box, round(score, 4), _row_boxes(box, grey, height, lines))
        for box, score in ended
        if box[2] - box[0] >= MIN_WIDTH_LINES * height  # what was left of a number's box
    ]
    return sorted(out, key=lambda r: (r.bbox[1], r.bbox[0]))


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
