"""Display blocks: consecutive non-prose lines with math, isolated and centred (or set flush
left at one indent, ``fleqn``), merged and split by their printed numbers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from scipix_search.ingest.pdf._delimiters import find_delimiters
from scipix_search.ingest.pdf._families import is_bold_font, is_extension_font, is_italic_font
from scipix_search.ingest.pdf._glyphs import Bar, Drawings, Glyph
from scipix_search.ingest.pdf._lines import _OPERATOR_WORDS, _WORD_RE, Line
from scipix_search.ingest.pdf._operators import operator_extent
from scipix_search.ingest.pdf._paragraph_rows import paragraph_rows
from scipix_search.ingest.pdf._radicals import radical_extent
from scipix_search.ingest.pdf._rows import RELATIONS


def split_columns(lines: list[Line], width: float) -> list[list[Line]]:
    mid = width / 2
    prose = [ln for ln in lines if ln.is_prose]
    left = sum(ln.bbox[2] < mid + 5 for ln in prose)
    right = sum(ln.bbox[0] > mid - 5 for ln in prose)
    # two columns: each half holds 30 % of the prose lines, or (a column of mostly displays
    # has few prose lines: the second column of acmart's first page) 70 % keep to one half
    # and each half has 20 % and at least five (a one-column page has a few short lines)
    n = len(prose)
    shares = min(left, right) >= 0.3 * n
    mostly_halves = min(left, right) >= max(5, 0.2 * n) and left + right >= 0.7 * n
    # or a short column beside a long one (the last page of a two-column paper): almost no
    # prose line crosses the middle, where nearly every line of a one-column page does
    crossing = sum(ln.bbox[0] < mid - 10 and ln.bbox[2] > mid + 10 for ln in prose)
    gutter = min(left, right) >= 4 and crossing <= 0.1 * n
    if prose and (shares or mostly_halves or gutter):
        cols: list[list[Line]] = [[], [], []]
        for ln in lines:
            if ln.bbox[2] < mid + 10:
                cols[0].append(ln)
            elif ln.bbox[0] > mid - 10:
                cols[1].append(ln)
            else:
                cols[2].append(ln)
        _join_crossing_rows(cols)
        return [c for c in cols if c]
    return [lines]


def _join_crossing_rows(cols: list[list[Line]]) -> None:
    """Pieces of a line that crosses the middle go with it (``cols[2]``, in place).

    MuPDF can give one typeset line in pieces (a two-column paper's full-width abstract
    broken where a superscript ends: ``Note that $E_0^{HO}$`` | ``are not independent...``);
    the piece left of the middle fell into the left column, alone and short, and read as a
    centred display. A piece that is no prose line, on the row of a crossing line (their
    boxes overlap over half the lower one's height) and touching it or a piece already moved
    (less than half an em between them, or overlapping) is part of it: a column's own lines
    keep a gutter from anything that crosses the middle. (A prose line of the other column
    stays: a display row too wide for its column can run into it.)"""
    moved = True
    while moved and cols[2]:
        moved = False
        for side in (0, 1):
            for ln in list(cols[side]):
                if not ln.is_prose and any(_same_row_piece(ln, other) for other in cols[2]):
                    cols[side].remove(ln)
                    cols[2].append(ln)
                    moved = True


def _same_row_piece(a: Line, b: Line) -> bool:
    overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
    if overlap <= 0.5 * min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1]):
        return False
    gap = max(a.bbox[0], b.bbox[0]) - min(a.bbox[2], b.bbox[2])
    return gap < 0.5 * max(a.size, b.size)


@dataclass(slots=True)
class Block:
    """A display candidate of a column: its lines, the column's text margins, and whether it
    is placed as a centred display is (``centred``: centred, wide, numbered, or set in from
    the paragraph margin of a column without prose)."""

    lines: list[Line]
    left: float
    right: float
    centred: bool

    @property
    def numbered(self) -> bool:
        return any(ln.number for ln in self.lines)

    def body_extent(self) -> tuple[float, float]:
        """Left and right end of the display's own lines (its number set apart)."""
        body = [ln for ln in self.lines if not ln.number] or self.lines
        return min(ln.bbox[0] for ln in body), max(ln.bbox[2] for ln in body)


def math_blocks(col: list[Line], body_size: float, drawings: Drawings) -> list[list[Line]]:
    """Consecutive non-prose lines with math, merged while they overlap or nearly touch,
    placed as a centred display is (see :func:`display_blocks` for flush-left ones)."""
    return [b.lines for b in display_blocks(col, body_size, drawings) if b.centred]


def display_blocks(col: list[Line], body_size: float, drawings: Drawings) -> list[Block]:
    """Consecutive non-prose lines with math, merged while they overlap or nearly touch,
    that read as a display; ``centred`` tells where it is placed (:func:`flush_left_indent`
    decides on the others)."""
    if not col:
        return []
    _mark_display_cells(col, body_size)
    prose_lines = [ln for ln in col if ln.is_prose]
    prose_tops = sorted((ln.bbox[1], ln.bbox[3]) for ln in prose_lines)
    left, right = column_edges(prose_lines or col, col, body_size)
    # how far under a full prose line its paragraph's next line may start (see _ends_paragraph)
    paragraph_reach = max(0.5 * body_size, _line_gap(prose_tops, body_size) + 0.2 * body_size)
    pitch = _line_pitch(prose_lines, body_size)

    def in_paragraph(ln: Line) -> bool:
        # the row goes on with a paragraph: as _ends_paragraph says, or one line pitch under
        # a prose line that starts where it starts (a column whose right edge is not where
        # its full lines end leaves the first test blind)
        start = _row_start(ln, col)
        if _ends_paragraph(start, prose_lines, left, right, body_size, paragraph_reach):
            return True
        base = _baseline(start.glyphs) if start.glyphs else start.bbox[3]
        return any(
            abs(p.bbox[0] - start.bbox[0]) <= 1
            and abs(base - _baseline(p.glyphs) - pitch) <= 0.25 * body_size
            for p in prose_lines
            if p.glyphs
        )

    candidates = [
        ln
        for ln in col
        if (not ln.is_prose or _text_in_display(ln, col, left, right, body_size))
        and (ln.number or ln.is_prose or not _beside_prose(_row_extent(ln), prose_tops))
        and not drawings.is_figure(ln.bbox)
        # the paragraph's last line, dense with math, over a display (``u - c_p), we have``)
        # is the paragraph's: joined to the display, its words became the display's first row
        and (
            ln.number
            or ln.is_prose
            or not _ends_paragraph(ln, prose_lines, left, right, body_size, paragraph_reach)
        )
        and (
            ln.number
            or ln.math_share > 0
            or _symbolic(ln.text)
            # a word of one or two letters that ends the paragraph over a display (``as``)
            # is no numerator or limit: joined to the display under it, it made the display
            # read as the paragraph's last line (``_paragraph_end``) and dropped it
            or (_fragment(ln) and not _continues_paragraph(ln, prose_lines, right, body_size))
            or _by_bar(ln, drawings.bars, body_size)
            or _italic_letters(ln)
            or _operator_name(ln)
            or _unmapped(ln)
        )
    ]
    candidates += _text_cells(col, candidates, left, right, body_size)
    # pieces of a paragraph's line dense with inline math: on the paragraph's baseline grid
    # and filling the measure, or going on under a full line (no display skip between)
    in_text = paragraph_rows(col, pitch, body_size)
    candidates = [ln for ln in candidates if ln.number or id(ln) not in in_text]
    # italic letters (and text cells) alone continue a display but never start one
    weak = {
        id(ln)
        for ln in candidates
        if not (ln.number or ln.math_share > 0 or _symbolic(ln.text) or _fragment(ln))
        and not _by_bar(ln, drawings.bars, body_size)
    }
    # a line of only big operators or radical signs is stacked where it is drawn: it hangs
    # from a baseline above its row, so its text-layer box can touch the line above
    drawn = {id(ln): _row_extent(ln) for ln in candidates}
    reach = {id(ln): _set_extent(ln, drawn[id(ln)]) for ln in candidates}
    blocks: list[list[Line]] = []
    skipped: list[Line] = []
    for ln in sorted(candidates, key=lambda item: drawn[id(item)][0]):
        if blocks:
            top = min(reach[id(b)][0] for b in blocks[-1])
            bottom = max(reach[id(b)][1] for b in blocks[-1])
            ln_top = reach[id(ln)][0]
            between = any(
                bottom - 1 <= (p0 + p1) / 2 <= ln_top + 1
                for p0, p1 in prose_tops
                if (p0, p1) != (ln.bbox[1], ln.bbox[3])
            )
            # a row set flush with a row of the display (an ``alignat`` column, rows of an
            # empty first column) continues it a little further down: tall brackets and
            # scripts in both rows leave less of \\jot than 0.6 em between their boxes. Not
            # at the paragraph's margin, where a paragraph's line starts too.
            aligned = (
                not ln.is_prose
                and ln.bbox[0] >= left + 2 * body_size
                and any(abs(ln.bbox[0] - b.bbox[0]) <= 0.5 for b in blocks[-1] if not b.is_prose)
            )
            if (
                (
                    ln_top <= bottom + (0.9 if aligned else 0.6) * body_size
                    or _next_row(ln, blocks[-1], pitch, bottom, body_size, in_paragraph)
                )
                and not between
                and ln_top >= top - body_size
                and not _paragraph_resumes(_row_start(ln, col), blocks[-1], left, body_size)
            ):
                blocks[-1].append(ln)
                continue
            if _row_start(ln, col) is not ln and _paragraph_resumes(
                _row_start(ln, col), blocks[-1], left, body_size
            ):
                continue  # inline math of the paragraph line that goes on under the display
        if ln.is_prose or id(ln) in weak:
            if not ln.is_prose:
                skipped.append(ln)
            continue  # a text line belongs to a display only as its continuation
        blocks.append([ln])
    # a weak line whose top is above the display line it continues (bold letters between
    # the halves of a ``\\bigl\\{``, set higher by a superscript) came before any block:
    # it joins the block whose row it shares
    for ln in skipped:
        top, bottom = drawn[id(ln)]
        for block in blocks:
            b_top = min(drawn[id(b)][0] for b in block)
            b_bottom = max(drawn[id(b)][1] for b in block)
            if min(bottom, b_bottom) - max(top, b_top) > 0.5 * (bottom - top):
                block.append(ln)
                break
    blocks = _join_aligned_rows(blocks, prose_tops, left, right, body_size)
    margin = None if prose_lines else _paragraph_margin(col)
    return [
        Block(b, left, right, _centred(b, left, right) or _set_in(b, margin, body_size))
        for b in blocks
        if _is_display(b, body_size)
        and not _inline_parts(b, prose_tops, body_size)
        and not _paragraph_line(b, left, right, prose_tops, body_size)
        and not _heading(b, body_size)
        and not _paragraph_end(b, prose_lines, right, body_size)
        and not drawings.is_figure(lines_bbox(b))  # labels spread over a diagram
    ]


def in_table(block: list[Line], lines: list[Line], rules: list[Bar], body_size: float) -> bool:
    """The block is cells of a table: a rule above it and one below reach past it (a
    table's rules span all its columns; an ``array``'s or a frame's hug the display), other
    cells share its rows inside those rules (or the block holds whole rows of cells, see
    :func:`_table_row`), and no paragraph line runs across it between them (a display
    between a running head's rule and a footer's has prose above it).
    ``lines`` are the page's (a table's columns can fall into different page columns)."""
    x0, y0, x1, y1 = lines_bbox(block)

    def covers(r: Bar) -> bool:
        return r.x0 <= x0 + 1 and r.x1 >= x1 - 1

    above = [r for r in rules if r.y <= y0 + 1 and covers(r)]
    below = [r for r in rules if r.y >= y1 - 1 and covers(r)]
    if not above or not below:
        return False
    top = max(above, key=lambda r: r.y)
    bottom = min(below, key=lambda r: r.y)
    left, right = max(top.x0, bottom.x0), min(top.x1, bottom.x1)
    # rules that hug the block (an ``array``'s, a frame's ``\\fboxsep``) are not a table's;
    # a ``tabular``'s reach ``\\tabcolsep`` past its outer cells
    margin = right - left - (x1 - x0)
    if margin < 0.8 * body_size:
        return False
    ids = {id(ln) for ln in block}
    inside = [
        ln
        for ln in lines
        if id(ln) not in ids
        and ln.bbox[0] >= left - 1
        and ln.bbox[2] <= right + 1
        and ln.bbox[1] >= top.y - 1
        and ln.bbox[3] <= bottom.y + 1
    ]
    if any(
        ln.is_prose and ln.bbox[0] < x0 - body_size and ln.bbox[2] > x1 + body_size for ln in inside
    ):
        return False
    if _table_row(block, body_size):
        return True
    if margin < 2 * body_size:
        return False
    return any(
        not ln.number
        and (ln.bbox[2] <= x0 or ln.bbox[0] >= x1)
        and any(
            min(ln.bbox[3], b.bbox[3]) - max(ln.bbox[1], b.bbox[1])
            > 0.5 * min(ln.bbox[3] - ln.bbox[1], b.bbox[3] - b.bbox[1])
            for b in block
        )
        for ln in inside
    )


def _table_row(block: list[Line], body_size: float) -> bool:
    """Some row of the block is a whole table row: at least three cells a column gap apart
    (``\\tabcolsep`` on both sides), one of them a number or words (a table's values; an
    ``alignat``'s cells each hold math). Between a table's rules the block can take every
    cell of its rows, so no other cell shares them."""
    if any(ln.number for ln in block):
        return False
    # a table can be set smaller than the text (``\\small``): its scripts are what is
    # smaller than its largest lines; MuPDF gives a table's cells lines of their own at
    # times, so a row is the lines that share most of their height
    size = min(body_size, max(ln.size for ln in block))
    rows: list[list[Line]] = []
    for ln in sorted(block, key=lambda ln: ln.bbox[1]):
        if ln.size < 0.8 * size:
            continue
        row = next((r for r in rows if _same_row(r[0], ln)), None)
        if row is None:
            rows.append([ln])
        else:
            row.append(ln)
    for row in rows:
        cells = _gap_runs([g for ln in row for g in ln.glyphs], 0.8 * size)
        if len(cells) >= 3 and any(_data_cell(c) for c in cells):
            return True
    return False


def _same_row(a: Line, b: Line) -> bool:
    overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
    return overlap > 0.5 * min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1])


def shares_table_rows(block: list[Line], table: list[Line], rules: list[Bar]) -> bool:
    """The block stands beside cells dropped as a table: most of its lines share a row
    with one of the table's, and one rule above both spans them (a table's top rule runs
    across all its columns). A table whose last rows have no rule below keeps its
    other columns as candidates of their own."""
    x0, y0, x1, y1 = lines_bbox(block)
    t0, u0, t1, u1 = lines_bbox(table)
    if not any(
        r.y <= min(y0, u0) + 1 and r.x0 <= min(x0, t0) + 1 and r.x1 >= max(x1, t1) - 1
        for r in rules
    ):
        return False

    def beside(ln: Line) -> bool:
        return any(
            _same_row(ln, t) and (t.bbox[2] <= ln.bbox[0] or t.bbox[0] >= ln.bbox[2]) for t in table
        )

    return 2 * sum(beside(ln) for ln in block) > len(block)


_TALL_DELIMITERS = frozenset("()[]{}|‖⟨⟩⌊⌋⌈⌉")


def unruled_table(block: list[Line], col: list[Line], width: float, body_size: float) -> bool:
    """The block is a table whose cells all fell into it (a table set without rules, or
    whose rules do not set it apart, see :func:`in_table`): at least three rows whose cells
    stand in at least three columns, with a gap of most of an em running down the whole
    block between columns (a ``tabular``'s ``\\tabcolsep`` on both sides of a column), at
    least a third of the cells numbers or words and one column mostly numbers, no equation
    number, and no tall delimiter across the rows (a matrix or ``cases`` is enclosed; a
    table is not). An ``align``'s columns join at relations (its cells are math, not
    data) and ``alignat``'s pairs hold a relation each. A row whose label is words is a prose line, which cuts a table
    into several blocks: the lines of the column ``col`` narrower than most of its
    ``width`` that touch the block above or below join it first (a paragraph's lines run
    across the column; a display is set apart by a skip)."""
    if any(ln.number for ln in block):
        return False
    if any(
        g.ink
        or is_extension_font(g.font)
        or g.c == "\ufffd"
        or (g.c in _TALL_DELIMITERS and g.y1 - g.y0 > 1.6 * body_size)
        for ln in block
        for g in ln.glyphs
    ):
        return False
    block = _table_rows(block, col, width, body_size)
    # script-size pieces (a subscript MuPDF set on a line of its own) are not cells; MuPDF
    # keeps cells a column gap apart on one line at times
    cells = [
        cell
        for ln in block
        if ln.size >= 0.8 * body_size
        for cell in _gap_runs(ln.glyphs, 0.8 * body_size)
    ]
    if len(cells) < 9:
        return False
    columns: list[list[float]] = []
    for x0, x1 in sorted((c[0].x0, max(g.x1 for g in c)) for c in cells):
        if columns and x0 < columns[-1][1] + 0.8 * body_size:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    if len(columns) < 3:
        return False
    rows: list[tuple[float, set[int]]] = []  # baseline, columns it has cells in
    for base, column in sorted((_baseline(c), _column(c, columns)) for c in cells):
        if rows and base - rows[-1][0] < 0.3 * body_size:
            rows[-1][1].add(column)
        else:
            rows.append((base, {column}))
    if sum(len(cols) >= 2 for _, cols in rows) < 3:
        return False
    # a third of the cells numbers or words, and a column of numbers: a table's values (its
    # labels and bounds may be math); no column of an ``alignat`` is free of relations
    if 3 * sum(_data_cell(c) for c in cells) < len(cells):
        return False
    numbers = [(_column(c, columns), _data_cell(c) and _digits(c)) for c in cells]
    return any(
        3 * sum(d for i, d in numbers if i == col) >= 2 * sum(i == col for i, _ in numbers) >= 6
        for col in range(len(columns))
    )


def _digits(cell: list[Glyph]) -> bool:
    return any(g.c.isdigit() for g in cell)


def _column(cell: list[Glyph], columns: list[list[float]]) -> int:
    return next(i for i, (c0, c1) in enumerate(columns) if c0 <= cell[0].x0 <= c1)


def _table_rows(block: list[Line], col: list[Line], width: float, size: float) -> list[Line]:
    """The block with the column's short lines that touch it above or below, repeatedly."""
    group = list(block)
    ids = {id(ln) for ln in group}
    top, bottom = min(ln.bbox[1] for ln in group), max(ln.bbox[3] for ln in group)
    grown = True
    while grown:
        grown = False
        for ln in col:
            if (
                id(ln) not in ids
                and ln.bbox[2] - ln.bbox[0] < 0.6 * width
                and ln.bbox[1] <= bottom + 0.6 * size
                and ln.bbox[3] >= top - 0.6 * size
            ):
                group.append(ln)
                ids.add(id(ln))
                top, bottom = min(top, ln.bbox[1]), max(bottom, ln.bbox[3])
                grown = True
    return group


def _gap_runs(glyphs: list[Glyph], gap: float) -> list[list[Glyph]]:
    """The line's glyphs (left to right) cut where the space between two exceeds ``gap``."""
    runs: list[list[Glyph]] = []
    for g in sorted((g for g in glyphs if g.c.strip()), key=lambda g: g.x0):
        if runs and g.x0 - max(h.x1 for h in runs[-1]) < gap:
            runs[-1].append(g)
        else:
            runs.append([g])
    return runs


def _baseline(cell: list[Glyph]) -> float:
    """The cell's main baseline: that of most of its glyphs at its largest size."""
    top = max(g.size for g in cell)
    bases = sorted(g.base for g in cell if g.size >= 0.8 * top)
    return bases[len(bases) // 2]


def _data_cell(chars: list[Glyph]) -> bool:
    """A table cell's content rather than math: a number (digits at least as many as the
    math letters, ``0.7079 ± 0.0071``, ``10 µm``) or words in a text font, with no relation
    (a relation makes the cell an equation or a bound)."""
    if any(g.c in RELATIONS for g in chars):
        return False
    digits = sum(g.c.isdigit() for g in chars)
    math_letters = sum(g.c.isalpha() and g.is_math for g in chars)
    text_letters = sum(g.c.isalpha() and not g.is_math for g in chars)
    if digits:
        return digits >= math_letters
    return text_letters >= 2 and math_letters == 0


def in_plot(block: list[Line], lines: list[Line], drawings: Drawings) -> bool:
    """The block is labels of a plot: it lies inside a drawn shape that holds many paths
    (a figure's patch, a plot's axes) and whose text is mostly not prose (a page's or a
    boxed theorem's background holds paragraphs; a plot holds tick labels, axis labels and
    a few titles)."""
    x0, y0, x1, y1 = lines_bbox(block)
    for f in drawings.drawn_frames((x0, y0, x1, y1)):
        inside = [
            ln
            for ln in lines
            if ln.bbox[0] >= f[0]
            and ln.bbox[1] >= f[1]
            and ln.bbox[2] <= f[2]
            and ln.bbox[3] <= f[3]
        ]
        if 2 * sum(ln.is_prose for ln in inside) < len(inside):
            return True
    return False


_INDENT_TOLERANCE = 1.0
"""How far (pt) the starts of two displays set at one ``\\mathindent`` may differ."""


def flush_left_indent(blocks: list[Block], body_size: float) -> float | None:
    """The ``\\mathindent`` of displays set flush left (``fleqn``), or ``None``.

    TeX centres a display in the line, or with ``fleqn`` (MNRAS, many Elsevier, Springer and
    Copernicus setups, amsmath's option) starts every one at ``\\mathindent`` from the left
    margin, whatever its width: displays of different widths then share their left end,
    where centred ones share their middle. The numbered displays decide, since their numbers
    make them displays wherever they stand: when at least two narrower than the column (a
    wide one starts near the margin either way) and most of those start at one indent from
    the margin, with middles spread over more than two em (not a run of equally wide centred
    rows), that is the indent. The number itself stands apart (``leqno`` puts it at the
    margin), so the display's own lines give its start."""
    numbered = []
    for b in blocks:
        x0, x1 = b.body_extent()
        width = max(1.0, b.right - b.left)
        if b.numbered and x1 - x0 <= 0.7 * width and x0 >= b.left - _INDENT_TOLERANCE:
            numbered.append((x0 - b.left, (x0 + x1) / 2 - b.left))
    if len(numbered) < 2:
        return None
    best: list[tuple[float, float]] = []
    for offset, _ in numbered:
        near = [n for n in numbered if abs(n[0] - offset) <= _INDENT_TOLERANCE]
        if len(near) > len(best):
            best = near
    middles = [m for _, m in best]
    if (
        len(best) >= 2
        and len(best) >= 0.6 * len(numbered)
        and max(middles) - min(middles) > 2 * body_size
    ):
        return sorted(o for o, _ in best)[len(best) // 2]
    return None


def set_flush_left(block: Block, indent: float | None) -> bool:
    """The block starts at the flush-left displays' indent (see :func:`flush_left_indent`)."""
    if indent is None:
        return False
    x0, _ = block.body_extent()
    body = [ln for ln in block.lines if not ln.number and ln.glyphs]
    if not body:
        return False
    first = min(body, key=lambda ln: (ln.bbox[1], ln.bbox[0])).glyphs[:2]
    # a display starts with math; a line from the margin that starts with a word in an
    # upright text font is the paragraph going on (``with $x$ fixed.``) when \mathindent is
    # zero (an upright Greek capital of the text font, ``\Omega_{q}``, is no word)
    word = len(first) == 2 and all(
        g.c.isalpha()
        and not g.is_math
        and not is_italic_font(g.font)
        and g.size >= first[0].size - 0.5
        for g in first
    )
    return (
        abs(x0 - block.left - indent) <= _INDENT_TOLERANCE
        and not word
        and not any(_sentence_word(ln) for ln in body)
    )


def _sentence_word(line: Line) -> bool:
    """The line holds a word of a sentence: two or more upright letters of a text font in
    the line's own size, set as one word, that are not a word displays use (``if``,
    ``otherwise``, ``for``, ``max``). A line of a paragraph that starts with math
    (``$W_\\mu(z)$ is``) starts where flush-left displays do when \\mathindent is small."""
    run: list[Glyph] = []
    for g in [*line.glyphs, None]:
        letter = (
            g is not None
            and g.c.isalpha()
            and not g.is_math
            and not is_italic_font(g.font)
            and g.size >= 0.9 * line.size
        )
        if letter and g is not None and (not run or g.x0 - run[-1].x1 < 0.15 * g.size):
            run.append(g)
            continue
        word = "".join(r.c for r in run)
        if len(word) >= 2 and word.lower() not in _OPERATOR_WORDS:
            return True
        run = [g] if letter and g is not None else []
    return False


def _mark_display_cells(col: list[Line], body_size: float) -> None:
    """Words a display row sets after its math (``\\text{(for each $x \\in Q$)}`` in the
    second column of an ``align``, a condition after ``\\quad``) read as prose by their
    word count; they are not: a paragraph line starts at the column's margin (or
    ``\\parindent`` in), and so does the typeset line a piece of it belongs to, while a
    display is set in from the margin. A prose-looking line whose row starts with math set
    in by 3 em or more from the margin (the leftmost start shared by three prose lines: a
    header or a marginal note can start further left), the math ending before the words,
    is marked a display cell."""
    starts = sorted(ln.bbox[0] for ln in col if ln.is_prose)
    left = next(
        (x for x in starts if sum(abs(x - other) <= 1 for other in starts) >= 3),
        starts[0] if starts else None,
    )
    if left is None:
        return
    prose = [ln for ln in col if ln.is_prose]
    for ln in prose:
        if ln.hyphenated or ln.bbox[0] < left + 3 * body_size:
            continue
        start = _row_start(ln, col)
        y0, y1 = ln.bbox[1], ln.bbox[3]
        before = [
            other
            for other in col
            if other.bbox[2] <= ln.bbox[0]
            and min(y1, other.bbox[3]) - max(y0, other.bbox[1])
            > 0.5 * min(y1 - y0, other.bbox[3] - other.bbox[1])
        ]
        if _after_tall_brace(ln, col, body_size) or (
            start is not ln
            and not start.is_prose
            and start.math_share > 0
            and start.bbox[0] >= left + 3 * body_size
            and start.bbox[2] <= ln.bbox[0]
            # an equation, or the brace of a ``cases``: a table's first column of symbols
            # (``$f_{\rm NL}$ & amplitude of ...``) has neither
            and any(
                g.c in RELATIONS or is_extension_font(g.font)
                for other in before
                for g in other.glyphs
            )
        ):
            ln.cell = True


def _after_tall_brace(line: Line, col: list[Line], body_size: float) -> bool:
    """``line`` starts right after a tall delimiter that reaches over it and more: a row of a
    ``cases`` or of an ``aligned`` in ``\\left\\{`` that starts with words (``\\text{R:
    Copper,} \\quad \\rho = 8930``); a paragraph line has no such thing beside it."""
    y0, y1 = line.bbox[1], line.bbox[3]
    return any(
        d.top <= y0 + 1 and d.bottom >= y1 - 1 and d.bottom - d.top > 1.8 * (y1 - y0)
        for other in col
        if other.glyphs
        and -1 < line.bbox[0] - other.bbox[2] < 1.5 * body_size
        and all(is_extension_font(g.font) for g in other.glyphs)
        for d in find_delimiters(other.glyphs)
    )


def column_edges(lines: list[Line], col: list[Line], body_size: float) -> tuple[float, float]:
    """The left and right margins of a column's text: where its prose lines start and end.
    Every line of a paragraph starts at the left margin (the first one \\parindent in) and
    ends at most at the right margin, so the outermost starts and ends are the margins;
    except a line that sticks out alone (more than two em past every other) from a row that
    starts right of the middle of the others (among all lines of the ``col``: MuPDF gives a
    typeset line in pieces): a running head set wider than the text block (tufte's spans the
    note column) or a margin note, never a paragraph's line, however deep its indent."""
    left = min(ln.bbox[0] for ln in lines)
    ends = sorted(lines, key=lambda ln: ln.bbox[2], reverse=True)
    while len(ends) > 1 and (
        ends[0].bbox[2] > ends[1].bbox[2] + 2 * body_size
        and _row_start(ends[0], col).bbox[0] > (left + ends[1].bbox[2]) / 2
    ):
        ends.pop(0)
    return left, ends[0].bbox[2]


def _row_start(line: Line, col: list[Line]) -> Line:
    """The leftmost line of the column that shares ``line``'s row (MuPDF gives the pieces
    of one typeset line, such as an integral sign of inline math, as lines of their own)."""
    y0, y1 = line.bbox[1], line.bbox[3]
    mates = [
        other
        for other in col
        if min(y1, other.bbox[3]) - max(y0, other.bbox[1])
        > 0.5 * min(y1 - y0, other.bbox[3] - other.bbox[1])
    ]
    return min(mates, key=lambda other: other.bbox[0], default=line)


def _paragraph_resumes(line: Line, block: list[Line], left: float, body_size: float) -> bool:
    """The paragraph goes on under a display (``with $x$ fixed.``): the line starts at the
    column's margin with a word in a text font, while the display above is set in from it."""
    first = line.glyphs[0] if line.glyphs else None
    return (
        first is not None
        and not first.is_math
        and first.c.isalpha()
        and line.bbox[0] <= left + 0.5 * body_size
        # an equation number set at the margin (amsart's leqno) is not the display's body
        and min((ln.bbox[0] for ln in block if not ln.number), default=left)
        >= left + 1.5 * body_size
        and line.bbox[1] >= max(ln.bbox[3] for ln in block) - 0.2 * body_size
    )


def _join_aligned_rows(
    blocks: list[list[Line]],
    prose_tops: list[tuple[float, float]],
    left: float,
    right: float,
    body_size: float,
) -> list[list[Line]]:
    """Rows of one ``align`` that tall content (fractions, limits) set further apart than
    lines merge: a row aligned at its relation is not centred on its own, but the rows
    together are. Two neighbouring blocks with nothing between them become one when one of
    them is off-centre and their union is centred, or when the lower one's first relation is
    set right under one of the upper one's (the column an ``align`` or a ``split`` lines its
    rows up at; rows near the centre are each centred enough on their own)."""
    out: list[list[Line]] = []
    for block in blocks:
        if out:
            prev = out[-1]
            gap = min(ln.bbox[1] for ln in block) - max(ln.bbox[3] for ln in prev)
            between = any(
                max(ln.bbox[3] for ln in prev) - 1
                <= (p0 + p1) / 2
                <= min(ln.bbox[1] for ln in block) + 1
                for p0, p1 in prose_tops
            )
            off_centre = not (_centred(prev, left, right) and _centred(block, left, right))
            if (
                0 <= gap <= 1.5 * body_size
                and not between
                and not any(ln.is_prose for ln in prev + block)
                and (
                    (
                        (
                            (off_centre and _centred(prev + block, left, right))
                            or _relation_aligned(prev, block)
                        )
                        # a line from the margin is the paragraph that goes on after a display
                        and min(ln.bbox[0] for ln in prev + block) >= left + 1.5 * body_size
                    )
                    # a row too wide to stand in from the margin (two columns) over one set
                    # in from it that TeX lined up at the same relation
                    or (
                        _relation_aligned(prev, block)
                        and min(ln.bbox[0] for ln in block) >= left + 1.5 * body_size
                    )
                    # flush left (``fleqn``) nothing is centred, and a display can start at
                    # the margin: the rows share their leftmost relation
                    or (off_centre and _relation_aligned(prev, block, math_first=True))
                    or _multline_rows(prev, block, left, right, body_size)
                )
            ):
                out[-1] = prev + block
                continue
        out.append(block)
    return out


def _relation_aligned(upper: list[Line], lower: list[Line], *, math_first: bool = False) -> bool:
    """Two blocks are rows of one ``align`` or ``split`` (TeX lines every row up at its
    ``&``): ``lower``'s first relation is printed at the same place across the line as one
    of ``upper``'s relations, in the same size (``V &= ...`` under ``U &= ...``, or a row that
    starts with the relation). With ``math_first`` (flush left, where a paragraph's line
    starts at the same margin as a display) both blocks must also start with math."""
    if math_first and not (_starts_with_math(upper) and _starts_with_math(lower)):
        return False
    relations = [g for ln in lower if not ln.number for g in ln.glyphs if g.c in RELATIONS]
    if not relations:
        return False
    first = min(relations, key=lambda g: g.x0)
    return any(
        g.c in RELATIONS and abs(g.x0 - first.x0) < 0.5 and abs(g.size - first.size) < 0.5
        for ln in upper
        if not ln.number
        for g in ln.glyphs
    )


_MULTLINE_GAP = (0.5, 1.3)
"""How far (em) from its margin ``multline`` sets its first row (left) and its last (right):
``\\multlinegap``, 10 pt."""


def _multline_rows(
    upper: list[Line], lower: list[Line], left: float, right: float, body_size: float
) -> bool:
    """The first and the last row of a ``multline``: the upper one set flush left at
    ``\\multlinegap`` from the margin (not where a paragraph's line starts: at the margin, or
    ``\\parindent`` in with a word), the lower one flush right at that gap from the right
    margin or with the display's number there, each to its own side of the other."""
    upper_body = [ln for ln in upper if not ln.number]
    lower_body = [ln for ln in lower if not ln.number]
    if not upper_body or not lower_body or any(ln.number for ln in upper):
        return False
    top = min(upper_body, key=lambda ln: (ln.bbox[0], ln.bbox[1]))
    first = top.glyphs[0] if top.glyphs else None
    u0, u1 = top.bbox[0], max(ln.bbox[2] for ln in upper_body)
    l0, l1 = min(ln.bbox[0] for ln in lower_body), max(ln.bbox[2] for ln in lower_body)
    lo, hi = _MULTLINE_GAP
    return (
        first is not None
        and (first.is_math or not first.c.isalpha())
        and lo * body_size <= u0 - left <= hi * body_size
        and (any(ln.number for ln in lower) or right - l1 <= hi * body_size)
        and l0 > u0 + body_size
        and l1 > u1 + body_size
    )


def _starts_with_math(lines: list[Line]) -> bool:
    """The block's top line (equation numbers aside) starts with a math glyph."""
    top = min((ln for ln in lines if not ln.number), key=lambda ln: ln.bbox[1], default=None)
    return top is not None and bool(top.glyphs) and top.glyphs[0].is_math


def _text_in_display(
    line: Line, col: list[Line], left: float, right: float, body_size: float
) -> bool:
    """A line of words set inside a display (``\\text{strictly causal, ...}`` on the second
    row of an ``aligned``): indented from both margins, unlike any line of a paragraph, and
    starting with math, as does the row it is a piece of (MuPDF gives a paragraph's line in
    pieces where inline math breaks it: ``Here G^{(3)}`` | ``r(x) denotes the ...``)."""
    first = line.glyphs[0] if line.glyphs else None
    start = _row_start(line, col)
    return (
        first is not None
        and first.is_math
        and (start is line or (bool(start.glyphs) and start.glyphs[0].is_math))
        and line.bbox[0] >= left + 3 * body_size
        and line.bbox[2] <= right - 3 * body_size
    )


_LABEL_GAP = 4.0
"""How far (em) the label of a display row may stand before its math."""


def _text_cells(
    col: list[Line], candidates: list[Line], left: float, right: float, body_size: float
) -> list[Line]:
    """Words set in a display row beside its math (``\\text{otherwise.}`` in a ``cases``
    row, which MuPDF may give as a line of its own): not prose, indented from both margins,
    and on the row of a math line of the display, after its math (a condition after its
    value) or before it, within a few em (the label column of a problem statement:
    ``\\text{minimize} \\quad & f(x)``, ``\\text{subject to}``)."""
    ids = {id(ln) for ln in candidates}
    math = [ln for ln in candidates if not ln.is_prose]
    out = []
    for ln in col:
        if id(ln) in ids or ln.is_prose or not _indented(ln, left, right, body_size):
            continue
        y0, y1 = ln.bbox[1], ln.bbox[3]
        if any(
            min(y1, m.bbox[3]) - max(y0, m.bbox[1]) > 0.5 * min(y1 - y0, m.bbox[3] - m.bbox[1])
            and (ln.bbox[0] >= m.bbox[2] or 0 <= m.bbox[0] - ln.bbox[2] <= _LABEL_GAP * body_size)
            for m in math
        ):
            out.append(ln)
    return out


def _indented(line: Line, left: float, right: float, body_size: float) -> bool:
    return line.bbox[0] >= left + 3 * body_size and line.bbox[2] <= right - 3 * body_size


def _by_bar(line: Line, bars: list[Bar], body_size: float) -> bool:
    """The line is set just over or under a drawn rule that spans it: a numerator or
    denominator, even when its letters are in a text font (``\\frac{area(H_c)}{area(H_v)}``).
    Punctuation after the fraction can share the line (Euler takes digits and punctuation
    from CMR, the relation from another font, so ``4,`` of ``\\frac{1}{4},`` is one line)."""
    x0, y0, x1, y1 = line.bbox
    # a big delimiter set before the fraction (a glyph with no Unicode value, ``\\biggl(``)
    # can share MuPDF's line with the numerator too
    unpunctuated = [g for g in line.glyphs if g.c not in ",.;:" and g.c != "\ufffd" and not g.name]
    if unpunctuated and len(unpunctuated) < len(line.glyphs):
        x0, x1 = min(g.x0 for g in unpunctuated), max(g.x1 for g in unpunctuated)
        y0, y1 = min(g.y0 for g in unpunctuated), max(g.y1 for g in unpunctuated)
    return any(
        b.x0 - 2 <= x0
        and x1 <= b.x1 + 2
        and b.x1 - b.x0 <= x1 - x0 + 4 * body_size  # not a table rule across many cells
        and (0 <= y0 - b.y <= 0.6 * body_size or 0 <= b.y - y1 <= 0.6 * body_size)
        for b in bars
    )


def lines_bbox(lines: list[Line]) -> tuple[float, float, float, float]:
    return (
        min(ln.bbox[0] for ln in lines),
        min(ln.bbox[1] for ln in lines),
        max(ln.bbox[2] for ln in lines),
        max(ln.bbox[3] for ln in lines),
    )


def _beside_prose(extent: tuple[float, float], prose: list[tuple[float, float]]) -> bool:
    """True when a line (its drawn top and bottom) shares its row with a prose line: inline
    math, not display."""
    y0, y1 = extent
    for p0, p1 in prose:
        overlap = min(y1, p1) - max(y0, p0)
        if overlap > 0.5 * min(y1 - y0, p1 - p0):
            return True
    return False


def _inline_parts(block: list[Line], prose: list[tuple[float, float]], body_size: float) -> bool:
    """The block is parts of inline math set over or under a paragraph's line (the
    numerators of ``$\\frac{M_c}{\\hbar}$`` and ``$\\frac{a^2-1}{r}$`` in one line): every line
    is in script size, and each reaches into a prose line's row. TeX sets a display in the
    text's size, with a skip over and under it."""
    return all(
        ln.size < 0.8 * body_size and any(ln.bbox[3] > p0 and ln.bbox[1] < p1 for p0, p1 in prose)
        for ln in block
    )


def _paragraph_line(
    block: list[Line], left: float, right: float, prose: list[tuple[float, float]], size: float
) -> bool:
    """The block is a justified line of a paragraph, dense with inline math (``on a grid $S =
    \\{s_1, \\dots, s_n\\}$ with $s_i \\in D$ and ...``): each of its lines runs from the
    column's left margin to its right one, and a prose line sits at the paragraph's line
    spacing over or under it. A display is set apart by a skip and centred, or numbered;
    TeX fills the measure exactly only for a paragraph's lines."""
    if any(ln.number for ln in block):
        return False
    if not all(abs(ln.bbox[0] - left) <= 1 and abs(ln.bbox[2] - right) <= 1 for ln in block):
        return False
    y0, y1 = min(ln.bbox[1] for ln in block), max(ln.bbox[3] for ln in block)
    return any(0 <= y0 - p1 <= 0.5 * size or 0 <= p0 - y1 <= 0.5 * size for p0, p1 in prose)


def _paragraph_end(block: list[Line], prose: list[Line], right: float, size: float) -> bool:
    """The block's first line goes on with the paragraph above it (its last line, dense with
    inline math: ``$d_j$ for $j \\in \\{1, \\dots, Q\\}$.``): it starts where a full prose line
    right over it starts (that line reaching the column's right margin) at the paragraph's
    line spacing, with no number. TeX puts a skip of about an em over a display (at least half an em),
    and a display that starts at the paragraph's edge cannot take the short skip."""
    if any(ln.number for ln in block):
        return False
    return _continues_paragraph(min(block, key=lambda ln: ln.bbox[1]), prose, right, size)


def _continues_paragraph(line: Line, prose: list[Line], right: float, size: float) -> bool:
    """``line`` starts where a full prose line right over it starts (that line reaching the
    column's right margin), at the paragraph's line spacing: the paragraph goes on."""
    return any(
        abs(p.bbox[0] - line.bbox[0]) <= 1
        and abs(p.bbox[2] - right) <= 1
        and 0 <= line.bbox[1] - p.bbox[3] <= 0.5 * size
        for p in prose
    )


def _ends_paragraph(
    line: Line, prose: list[Line], left: float, right: float, size: float, reach: float
) -> bool:
    """``line`` goes on with the paragraph over it: it starts where a full prose line right
    over it starts (as in :func:`_continues_paragraph`), or at the column's left margin right
    under the paragraph's first line, which fills the measure from its indent (up to 3 em
    in). A display is centred or indented and has a skip over it; only a paragraph's next
    line starts at the margin that close under a full line. "Close" is the paragraphs' own
    spacing (``reach``: half an em, more in a double-spaced manuscript); the boxes may overlap
    a little (an accent over a capital, ``\\hat{\\Phi}``, reaches into the line above)."""
    at_margin = abs(line.bbox[0] - left) <= 1
    return any(
        abs(p.bbox[2] - right) <= 1
        and -0.3 * size <= line.bbox[1] - p.bbox[3] <= reach
        and (abs(p.bbox[0] - line.bbox[0]) <= 1 or (at_margin and 1 < p.bbox[0] - left <= 3 * size))
        for p in prose
    )


def _line_pitch(prose: list[Line], size: float) -> float:
    """The usual distance between the baselines of a paragraph's consecutive lines (its
    ``\\baselineskip``; 0 when the column has too few prose lines to tell)."""
    bases = sorted(_baseline(ln.glyphs) for ln in prose if ln.glyphs)
    steps = sorted(b - a for a, b in pairwise(bases) if 0.8 * size <= b - a <= 2 * size)
    return steps[len(steps) // 2] if len(steps) >= 3 else 0.0


def _next_row(
    line: Line,
    block: list[Line],
    pitch: float,
    bottom: float,
    size: float,
    in_paragraph: Callable[[Line], bool],
) -> bool:
    """``line`` is the next row of the display ``block`` by where TeX puts its baseline:
    the rows of an ``align`` or ``gather`` follow one another at ``\\baselineskip`` plus
    ``\\jot`` (3 pt), whatever their fonts' boxes. A font whose boxes hug its letters
    (Century Schoolbook's are 1.05 em tall, Computer Modern's 1.15 em) leaves more than
    the 0.6 em box gap between such rows, and a display of text-labelled rows fell apart
    into one-row blocks. A baseline at most half an em further down than the paragraph's
    line pitch (and a box gap under 0.9 em) continues the display; a paragraph line after
    a display is set ``\\belowdisplayskip`` lower and is prose, which never joins; a
    paragraph's last line dense with math (``in_paragraph``: its row goes on with the
    paragraph) is no row of the display under it, however close a tall first row brings
    them (a double-spaced manuscript's ``..., we have [23]`` over ``A_1 = \\arg\\min ...``)."""
    if not pitch or not line.glyphs or line.is_prose or line.bbox[1] > bottom + 0.9 * size:
        return False
    rows = [b for b in block if b.glyphs and not b.is_prose]
    if not rows:
        return False
    last = max(rows, key=lambda b: _baseline(b.glyphs))
    # a word of two letters alone (``or`` between two displays) is set a baselineskip over
    # the display under it (``\\abovedisplayshortskip`` is 0 pt): no row of it
    if _fragment(line) or _fragment(last) or in_paragraph(last):
        return False
    return 0 < _baseline(line.glyphs) - _baseline(last.glyphs) <= pitch + 0.5 * size


def _line_gap(tops: list[tuple[float, float]], size: float) -> float:
    """The usual gap between the boxes of a paragraph's consecutive lines, from the prose
    lines' sorted (top, bottom) pairs (0 when the column has too few to tell)."""
    gaps = sorted(
        b0 - a1 for (_, a1), (b0, _) in pairwise(tops) if -0.3 * size <= b0 - a1 <= 2 * size
    )
    return gaps[len(gaps) // 2] if len(gaps) >= 3 else 0.0


def _heading(block: list[Line], body_size: float) -> bool:
    """The block is a title or heading with math in it (``... with $e^+e^- \\to \\tau^+\\tau^-$
    at Belle II``): words in a text font, every line set well above the text size. TeX sets
    a display in the text's size (only its big operators and delimiters grow), with no
    words of a larger font."""
    return (
        not any(ln.number for ln in block)
        and all(ln.size >= 1.3 * body_size for ln in block)
        and any(ln.prose_chars >= 3 for ln in block)
    )


def _centred(block: list[Line], left: float, right: float) -> bool:
    """Display math is centred in its column, wide, or numbered; algorithm and figure
    fragments hug the left margin."""
    if any(ln.number for ln in block):
        return True
    body = [ln for ln in block if not ln.number]
    x0, x1 = min(ln.bbox[0] for ln in body), max(ln.bbox[2] for ln in body)
    width = max(1.0, right - left)
    return abs((x0 + x1) / 2 - (left + right) / 2) < 0.12 * width or (x1 - x0) > 0.7 * width


def _paragraph_margin(col: list[Line]) -> float | None:
    """The left margin of a column without prose lines (a page of derivations joined by
    ``We have``, ``where``): where its lines that start with a word in a text font begin.
    TeX sets a paragraph's lines from the margin (its first one \\parindent in), never a
    display, which starts with math."""
    starts = [
        ln.bbox[0]
        for ln in col
        if ln.glyphs and not ln.glyphs[0].is_math and ln.glyphs[0].c.isalpha()
    ]
    return min(starts, default=None)


def _set_in(block: list[Line], margin: float | None, body_size: float) -> bool:
    """Without prose lines the column's right margin is unknown (the lines' extents put it at
    the widest display), so centring cannot be measured; TeX centres a display narrower than
    the line, which sets it in from the paragraph margin by more than a paragraph indent
    (\\parindent is 1 to 1.5 em), while algorithm and figure fragments hug the margin."""
    return margin is not None and min(ln.bbox[0] for ln in block) >= margin + 2 * body_size


_LIMIT_NAMES = frozenset("lim max min sup inf".split())


def _operator_name(line: Line) -> bool:
    """An operator name alone on its line (``lim``, ``max``): the text layer gives the name
    of a ``\\lim_{\\lambda \\to \\infty}`` a line of its own above its limit's, and its upright
    letters come from a roman that prose shares (Computer Modern's, or the Times text roman
    via mathptmx), so nothing else says math. Like italic letters, it continues a display
    only."""
    return line.text.strip() in _LIMIT_NAMES and not any(
        is_italic_font(g.font) for g in line.glyphs if g.c.strip()
    )


def _italic_letters(line: Line) -> bool:
    """Letters in a text italic or bold that form no word: math of fonts that take their
    letters from the text italic (Times via mathptmx, Utopia via fourier), such as the rest
    of a display line after a fraction (``2 C^a_{bc} C^b C^c``), and ``\\mathbf`` letters,
    which every setup takes from the text bold (``\\mathbf{U}^{\\mathsf{H}} \\mathbf{Q}
    \\mathbf{U}`` between the two halves of a ``\\bigl\\{``)."""
    return line.prose_chars == 0 and any(
        g.c.isalpha() and (is_italic_font(g.font) or is_bold_font(g.font)) for g in line.glyphs
    )


def _unmapped(line: Line) -> bool:
    """Only glyphs with no Unicode value and no name the reader knows: in a font that is not
    named as a math font (Iwona's math is in ``Iwona-Regular``), the pieces of a big
    operator or delimiter that MuPDF sets on lines of their own."""
    return all(g.c == "\ufffd" for g in line.glyphs)


def _fragment(line: Line) -> bool:
    """One or two letters or digits alone: a numerator, denominator or limit of a formula."""
    return len(line.glyphs) <= 2 and all(g.c.isalnum() for g in line.glyphs)


def _symbolic(text: str) -> bool:
    return bool(re.search(r"[=+<>]", text)) and not _WORD_RE.search(text)


def _is_display(block: list[Line], body_size: float) -> bool:
    glyphs = [g for ln in block for g in ln.glyphs if ln.number is None]
    if not glyphs:
        return False
    math = sum(g.is_math for g in glyphs)
    has_number = any(ln.number for ln in block)
    if not has_number and not any(g.c.isalpha() or g.c in "=<>≤≥∈≈" for g in glyphs):
        return False  # numbers and minus signs only: axis ticks of a plot
    if math == 0 and not (has_number and len(glyphs) >= 3):
        return False
    if len(glyphs) < 3 and not has_number:
        return False
    # letters in a text italic that form no word are math where the math takes its letters
    # from the text italic (Utopia via fourier, Times via mathptmx): ``f_n(\\bar{m})``
    letters = sum(
        g.c.isalpha() and not g.is_math and is_italic_font(g.font)
        for ln in block
        if ln.number is None and ln.prose_chars == 0
        for g in ln.glyphs
    )
    # a lone word-like line in a text font is a heading or a table cell, not math
    return (math + letters) / len(glyphs) >= 0.08 or has_number


def split_by_numbers(block: list[Line]) -> list[list[Line]]:
    numbers = sorted((ln for ln in block if ln.number), key=lambda ln: ln.bbox[1])
    if len(numbers) <= 1:
        return [block]
    drawn = {id(ln): _drawn_extent(ln) for ln in block}
    body = sorted((ln for ln in block if not ln.number), key=lambda ln: drawn[id(ln)])
    level = {id(n): _number_level(n, body, drawn) for n in numbers}
    parts: list[list[Line]] = []
    start = 0
    for current, nxt in zip(numbers, numbers[1:], strict=False):
        lo, hi = level[id(current)], level[id(nxt)]
        best, best_gap = None, -1e9
        for i in range(start, len(body) - 1):
            a, b = drawn[id(body[i])], drawn[id(body[i + 1])]
            if (a[0] + a[1]) / 2 < lo - 3 or (b[0] + b[1]) / 2 > hi + 3:
                continue
            gap = b[0] - max(drawn[id(x)][1] for x in body[start : i + 1])
            if gap > best_gap:
                best, best_gap = i, gap
        if best is None:
            continue
        parts.append(body[start : best + 1])
        start = best + 1
    parts.append(body[start:])
    result = []
    for part in parts:
        if not part:
            continue
        top, bottom = min(x.bbox[1] for x in part), max(x.bbox[3] for x in part)
        nums = [n for n in numbers if top - 2 <= level[id(n)] <= bottom + 2]
        result.append(part + nums[:1])
    return result


def _number_level(number: Line, body: list[Line], drawn: dict[int, tuple[float, float]]) -> float:
    """The height of the row an equation number belongs to: the middle of its own line,
    unless amsmath set it below its row. A row too wide for its tag beside it (the tag would
    come within ``\\mintagsep``, half an em, of it) gets the tag flush right on a line of its
    own under it; then nothing of the display shares the number's line, and the row just above
    ends less than about half an em before the number's left edge (or past it). Such a number
    stands at the last line of that row. (A ``split`` whose rows leave room for its tag has it
    centred between them, away from the rows' ends.)"""
    y0, y1 = number.bbox[1], number.bbox[3]
    own = (y0 + y1) / 2
    height = y1 - y0
    if any(min(y1, drawn[id(ln)][1]) - max(y0, drawn[id(ln)][0]) > 0.25 * height for ln in body):
        return own  # set beside a row
    above = [ln for ln in body if drawn[id(ln)][1] <= y0 + 0.25 * height]
    if not above:
        return own
    bottom = max(drawn[id(ln)][1] for ln in above)
    row = [ln for ln in above if drawn[id(ln)][1] >= bottom - 1.5 * number.size]
    em = number.size
    if y0 - bottom > em or max(ln.bbox[2] for ln in row) < number.bbox[0] - 0.6 * em:
        return own  # no row directly above, or one that leaves room for the tag beside it
    last = max(row, key=lambda ln: drawn[id(ln)][1])
    return (drawn[id(last)][0] + drawn[id(last)][1]) / 2


def _row_extent(line: Line) -> tuple[float, float]:
    """The text row a line sits on: its box, unless it holds only big operators or radical
    signs (with their scripts), whose box the text layer puts a row too high."""
    if any(
        g.size >= 0.9 * line.size and operator_extent(g) is None and radical_extent(g) is None
        for g in line.glyphs
    ):
        return line.bbox[1], line.bbox[3]
    return _drawn_extent(line)


_ASCENT, _DEPTH = 0.7, 0.2
"""The least height and depth (em) of a glyph's box as TeX sets it in a line: Computer
Modern's letters reach about 0.7 em over their baseline and 0.2 em under it."""


def _set_extent(line: Line, extent: tuple[float, float]) -> tuple[float, float]:
    """``extent`` widened to the band TeX gives the line's glyphs around their baselines:
    some math fonts report a box of half an em (newtx's and Libertine's math italic) or none
    under the baseline (Fourier's symbols), so their rows look further apart than TeX set
    them (the last row of an ``array`` was left out of its display)."""
    # an extension-font glyph hangs from its baseline; big operators and radical signs
    # have their drawn extent already
    plain = [
        g
        for g in line.glyphs
        if not is_extension_font(g.font)
        and operator_extent(g) is None
        and radical_extent(g) is None
    ]
    if not plain:
        return extent
    return (
        min(extent[0], min(g.base - _ASCENT * g.size for g in plain)),
        max(extent[1], max(g.base + _DEPTH * g.size for g in plain)),
    )


def _drawn_extent(line: Line) -> tuple[float, float]:
    """Top and bottom of a line as drawn: a big operator or a radical sign spans its ink
    (a radical hangs from its baseline, the level of its rule; an extension-font
    glyph hangs from its baseline, well below the box the text layer gives it: Euler's
    display integral sits a row higher in the text layer than on the page; STIX's reaches
    a row lower than its line's box)."""
    if not line.glyphs:
        return line.bbox[1], line.bbox[3]
    extents = [operator_extent(g) or radical_extent(g) or (g.y0, g.y1) for g in line.glyphs]
    return min(e[0] for e in extents), max(e[1] for e in extents)
