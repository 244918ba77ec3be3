"""Prose in and around display boxes: telling a paragraph's lines from a display's rows.

The layout model's display boxes reach into the sentences around them (the one that leads
into a display, the one between two displays) and the OCR makes words of a display's names,
so a box is judged row by row: rows of prose are cut out of it or trimmed off its ends, its
top and bottom are moved off the prose rows they cut through, and it grows over the rows
next to it that continue it and along the text line it cuts across. Split out of
``ocr/_displays.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from scipix_search.ingest import PROSE_MIN_CHARS, is_prose, word_share
from scipix_search.ocr._geometry import Box, Columns, _column_of, _overlap_share, _union
from scipix_search.ocr._rows import (
    ROW_GAP_LINES,
    ROW_MIN_HEIGHT_LINES,
    _continues,
    _noted,
    _row_text,
    _spans,
)

# A region the model calls an equation (scored under its cut) is prose only when this much
# of its text is words: the model's class is evidence against the words the OCR made of it.
EQUATION_PROSE_SHARE = 0.7
# Text of Latin letters and punctuation alone, two words or more, one of them of four letters
# or more with a capital, is a name or a heading, no formula (an author line ``Bo Y.-C.
# Ning``; a heading in small capitals read ``IL. ANALysIs``).
LETTERS = re.compile(r"[A-Za-z]+")
LETTERS_ONLY = re.compile(r"^\s*[A-Za-z][A-Za-z.,;:'’&]*(?:[\s\-]+[A-Za-z][A-Za-z.,;:'’&\-]*)+\s*$")


# A line at its column's edge opening with a word in lower case (``where``, ``with``)
# continues a sentence after a display, however much inline math it holds: no display opens
# so but with an operator's name or an optimisation problem's words.
OPENING_WORD = re.compile(r"^([a-z]{3,})\s+\S")
OPERATOR_NAMES = frozenset(
    "arg argmax argmin cos cosh cot coth cov csc deg det diag dim erf exp gcd hom inf ker lcm "
    "lim log max maximize min minimize mod rank sec sgn sin sinh span subject sup tan tanh var".split()
)


def _opens_sentence(text: str) -> bool:
    """The text opens with a word in lower case, three letters or more, and more after it,
    the word no operator's name (:data:`OPERATOR_NAMES`)."""
    match = OPENING_WORD.match(text.strip())
    return match is not None and match.group(1) not in OPERATOR_NAMES


# A paragraph's lines start within this many line heights of their column's left edge.
PARAGRAPH_INDENT_LINES = 1.5


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
    or a long left side: ``[L, V]`` over ``= e^{...} V``), and the row under it start right
    of where the box ends (a ``multline``'s last row, set flush right), within the box's
    column."""
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
                column = _column_of(span, columns) == _column_of(box, columns)
                lead = above and first_continues and span[0] < box[0] and column
                # a multline's last row is set flush right, past where its first row ends
                trail = below and _continues(text) and column
                if overlap <= 0 and not lead and not trail:
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
    span: Box,
    row: list[Any],
    numbers: list[Box],
    columns: Columns,
    line_height: float,
    equations: Sequence[Box] = (),
) -> bool:
    """A line of a paragraph: prose text carrying no number, long or starting at its
    column's left edge (words the OCR made of a display's glyphs are short and set in).
    A long row set in from that edge inside a box the model called an equation is prose
    only with :data:`EQUATION_PROSE_SHARE` of its characters in words, as
    :func:`~scipix_search.ocr._candidates._recovered` judges such a box: the model's class
    is evidence against the words the OCR made of a display's names (``Stage : Ty → Ty``).
    A row at the edge opening a sentence's words (:func:`_opens_sentence`: ``with {M, φ(k)}
    fixed.``) is prose however few of its characters are words."""
    text = _row_text(row)
    at_edge = span[0] - _column_of(span, columns)[0] <= PARAGRAPH_INDENT_LINES * line_height
    modelled = any(_overlap_share(span, box) > 0.5 for box in equations)
    opens = at_edge and _opens_sentence(text)
    return (
        not any(tuple(x.bbox) in numbers for x in row)
        and (is_prose(text) or opens)
        and not _noted(row, line_height)
        and (
            at_edge
            or is_prose(text, PROSE_MIN_CHARS)
            and (not modelled or word_share(text) >= EQUATION_PROSE_SHARE)
        )
    )


def _trim_prose(
    box: Box,
    rows: list[list[Any]],
    numbers: list[Box],
    columns: list[tuple[float, float]],
    line_height: float,
    equations: Sequence[Box] = (),
) -> Box:
    """The box without the rows of prose at its top and bottom (a box the model drew over a
    display and the sentence that leads into it, or out of it): a row of the box whose text
    is prose and carries no number is cut off, from either end, until a row that is not.
    ``equations``: the model's equation boxes (:func:`_prose_row`)."""
    inside = [span for span in _spans(rows, numbers) if _overlap_share(span[0], box) > 0.5]

    def prose(span: Box, row: list[Any]) -> bool:
        return _prose_row(span, row, numbers, columns, line_height, equations)

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
    equations: Sequence[Box] = (),
) -> Box:
    """The box's top and bottom moved off the prose rows they cut through. A box the model
    drew a few pixels into the sentence above or below its display holds too little of that
    row for :func:`_trim_prose` to count it as one of its rows, but enough of its ink that
    the box, widened along its rows to their ink and trimmed to it, takes in the sentence
    (and its width). ``equations``: the model's equation boxes (:func:`_prose_row`)."""
    top, bottom = box[1], box[3]
    for span, row in _spans(rows, numbers):
        if min(span[2], box[2]) <= max(span[0], box[0]) or span[3] <= top or span[1] >= bottom:
            continue  # beside the box, or above or under it
        if not _prose_row(span, row, numbers, columns, line_height, equations):
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
    equations: Sequence[Box] = (),
) -> list[Box]:
    """The box cut at the rows of prose inside it: one box per run of rows that are not
    prose (a box the model drew over two displays and the sentence between them, or over a
    display and the sentence before it); the box as it is where it holds no such run.
    ``equations``: the model's equation boxes (:func:`_prose_row`)."""
    inside = [span for span in _spans(rows, numbers) if _overlap_share(span[0], box) > 0.5]
    prose = [
        _prose_row(span, row, numbers, columns, line_height, equations) for span, row in inside
    ]
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


# Two boxes that each lie this much inside the other are one display's.
SAME_BOX_SHARE = 0.8


def _extend_to_lines(
    scored: list[tuple[Box, float]], lines: Sequence[Any], numbers: list[Box], columns: Columns
) -> list[tuple[Box, float]]:
    """Each box widened by :func:`_line_extend`; boxes the model drew over two parts of one
    row take the same line and are then one box (their union, the higher confidence), not
    the same display twice."""
    out: list[tuple[Box, float]] = []
    for box, confidence in scored:
        box = _line_extend(box, lines, numbers, columns)
        for i, (kept, kept_confidence) in enumerate(out):
            if min(_overlap_share(box, kept), _overlap_share(kept, box)) >= SAME_BOX_SHARE:
                out[i] = (_union([kept, box]), max(kept_confidence, confidence))
                break
        else:
            out.append((box, confidence))
    return out
