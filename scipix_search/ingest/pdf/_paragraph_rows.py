"""Lines of a paragraph dense with inline math, told from display rows by where TeX sets them.

A paragraph's lines follow one another at its ``\\baselineskip`` and every line but its last
runs from the margin (or ``\\parindent`` in) to the right margin: TeX justifies them. A display
is set apart: ``\\abovedisplayskip`` over it after a full line (10 pt minus 5 pt in
``article``; only ``\\abovedisplayshortskip`` when the line over it ends 2 em before the
display starts) and ``\\belowdisplayskip`` or ``\\belowdisplayshortskip`` under it (6 pt minus
3 pt at least), and it is centred or set at the display indent; it does not fill the measure
from the margin. So a typeset line whose words are too few for a prose line (``and such that
$d(x, x') \\le q + q'$ for all $q, q' \\in \\mathbb{Q}_{>0}$ and ...``), and which the text
layer may give in pieces, is a paragraph's line when it sits on the paragraph's baseline grid
(one line pitch from a line of the paragraph, within a tenth of an em or so) and either fills
the measure, or starts where the full line one pitch over it starts (the paragraph goes on
after a line TeX could break only there). The pieces of such a line are inline math.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipix_search.ingest.pdf._families import is_extension_font
from scipix_search.ingest.pdf._lines import Line

_PITCH_TOLERANCE = 0.15
"""How far (em) a row's baseline may stand from one line pitch under or over a paragraph's
line and still be on its grid: a display's skip is at least 0.3 em (``\\belowdisplayshortskip``
shrunk to its least), a paragraph's lines are set exactly."""

_FULL_TOLERANCE = 0.3
"""How far (em) short of the right margin a full line may end: ``microtype`` lets hyphens and
punctuation protrude and a full line's last glyph can be set a little inside."""

_INDENT = 2.5
"""The deepest first-line indent (em) of a paragraph's first line that fills the measure."""


@dataclass(slots=True)
class _Row:
    lines: list[Line]
    base: float
    x0: float
    x1: float
    prose: bool
    numbered: bool


def paragraph_rows(col: list[Line], pitch: float, body_size: float) -> set[int]:
    """Ids of the column's non-prose lines that are pieces of a paragraph's typeset line (see
    the module's docstring); ``pitch`` is the paragraph's baseline distance (0: too few prose
    lines to tell, and nothing is marked).

    The margins are those of the column's prose lines in the text's size: a running head set
    in footnote size across a wider block (a draft's date and title) is no line of the text."""
    body_prose = [ln for ln in col if ln.is_prose and ln.glyphs and ln.size >= 0.9 * body_size]
    if not pitch or len(body_prose) < 3:
        return set()
    ends = sorted((ln.bbox[2] for ln in body_prose), reverse=True)
    # an overfull line or two can stick out; the third furthest end is a full line's
    right = ends[2]
    starts = sorted(ln.bbox[0] for ln in body_prose)
    left = next((x for x in starts if sum(abs(x - other) <= 1 for other in starts) >= 2), starts[0])
    rows = _rows(col, body_size)
    tol = _PITCH_TOLERANCE * body_size

    def full(row: _Row) -> bool:
        return row.x1 >= right - _FULL_TOLERANCE * body_size

    para = [row.prose for row in rows]
    changed = True
    while changed:
        changed = False
        for i, row in enumerate(rows):
            if para[i] or row.numbered:
                continue
            above = [
                other
                for j, other in enumerate(rows)
                if para[j] and abs(row.base - other.base - pitch) <= tol
            ]
            below = [
                other
                for j, other in enumerate(rows)
                if para[j] and abs(other.base - row.base - pitch) <= tol
            ]
            starts_line = row.x0 >= left - 1 and any(
                row.x0 <= max(other.x0, left) + _INDENT * body_size for other in above + below
            )
            # the paragraph goes on under a full line: its next line starts where that one
            # starts, or at the margin under a first line set in by \\parindent
            goes_on = any(
                full(other)
                and (
                    abs(row.x0 - other.x0) <= 1
                    or (abs(row.x0 - left) <= 1 and other.x0 - left <= 3 * body_size)
                )
                for other in above
            )
            if (full(row) and starts_line) or goes_on:
                para[i] = changed = True
    return {
        id(ln)
        for row, is_para in zip(rows, para, strict=True)
        if is_para and not row.prose
        for ln in row.lines
        if not ln.number
    }


def _rows(col: list[Line], body_size: float) -> list[_Row]:
    """The column's typeset rows: lines in the text's size whose main baselines lie within a
    quarter em (MuPDF gives a line in pieces where inline math breaks it), with the
    other pieces (scripts, delimiters) whose boxes lie mostly within such a row's height."""
    main = sorted((ln for ln in col if _sets_row(ln, body_size)), key=_main_baseline)
    groups: list[list[Line]] = []
    for ln in main:
        if groups and _main_baseline(ln) - _main_baseline(groups[-1][0]) <= 0.25 * body_size:
            groups[-1].append(ln)
        else:
            groups.append([ln])
    bands = [(min(ln.bbox[1] for ln in g), max(ln.bbox[3] for ln in g)) for g in groups]
    for ln in col:
        if not ln.glyphs or _sets_row(ln, body_size):
            continue
        height = max(ln.bbox[3] - ln.bbox[1], 0.1)
        for group, (top, bottom) in zip(groups, bands, strict=True):
            if min(bottom, ln.bbox[3]) - max(top, ln.bbox[1]) > 0.5 * height:
                group.append(ln)
                break
    return [
        _Row(
            lines=g,
            base=_main_baseline(g[0]),
            x0=min(ln.bbox[0] for ln in g),
            x1=max(ln.bbox[2] for ln in g),
            prose=any(ln.is_prose for ln in g),
            numbered=any(ln.number for ln in g),
        )
        for g in groups
    ]


def _sets_row(line: Line, body_size: float) -> bool:
    """The line is in the text's size and holds letters or digits: its baseline is a row's.
    The pieces of a tall bracket or a big operator hang from a baseline of their own (an
    extension font's glyph from its top), so they join a row by their box only."""
    return line.size >= 0.8 * body_size and any(
        g.c.isalnum() and not is_extension_font(g.font) for g in line.glyphs
    )


def _main_baseline(line: Line) -> float:
    """The baseline most of the line's glyphs in its largest size sit on."""
    top = max(g.size for g in line.glyphs)
    bases = sorted(g.base for g in line.glyphs if g.size >= 0.8 * top)
    return bases[len(bases) // 2]
