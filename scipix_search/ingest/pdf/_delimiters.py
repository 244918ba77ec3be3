"""Tall delimiters of the text layer, and the matrices and groups they enclose.

TeX sets a tall ``[``, ``(``, ``\\{``, ``|`` or ``\\|`` as one CMEX glyph of a fixed size
(``bracketleftbigg``) or as a column of pieces (``bracketlefttp`` over ``bracketleftbt``).
The text layer reports the glyph, its font size and its baseline, but not how far it
reaches: that comes from the glyph's name (TeX's CMEX metrics). Between a matched pair of
delimiters, the glyphs are grouped into rows (baselines; fraction parts belong to the row
of their bar) and columns (gaps wider than a column separation), and the whole group
becomes one *atom*: a :class:`Glyph` whose ``c`` is its LaTeX (``\\begin{bmatrix} ...``),
which the row and script logic then handles like any other glyph. A ``\\{`` without a
closing partner is ``cases``.

Without this, a column vector ``[x; u]`` is two visual rows of the formula and its
brackets unmapped glyphs, and the formula OCR reads it as ``\\binom{x}{u}`` or drops a row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from scipix_search.ingest.pdf._atoms import atom as _atom
from scipix_search.ingest.pdf._atoms import piece_name
from scipix_search.ingest.pdf._glyphs import (
    Bar,
    Glyph,
    bars_among,
    glyph_mapped,
    glyphs_to_latex,
)
from scipix_search.ingest.pdf._operators import group_operators
from scipix_search.ingest.pdf._rows import EQUATION_RELATIONS

logger = logging.getLogger(__name__)

_FAMILIES = (
    ("bracketleft", "[", "open"),
    ("bracketright", "]", "close"),
    ("parenleft", "(", "open"),
    ("parenright", ")", "close"),
    ("braceleft", "{", "open"),
    ("braceright", "}", "close"),
    ("braceex", "{", "any"),
    ("angleleft", "<", "open"),
    ("angleright", ">", "close"),
    ("angbracketleft", "<", "open"),  # CMEX's own names for the tall angle brackets
    ("angbracketright", ">", "close"),
    ("vextenddouble", "‖", "sym"),
    ("vextendsingle", "|", "sym"),
)
_PARTNER = {"[": "]", "(": ")", "{": "}", "<": ">", "|": "|", "‖": "‖"}
_LEFT_RIGHT = {
    "[": (r"\left[", r"\right]"),
    "(": (r"\left(", r"\right)"),
    "{": (r"\left\{", r"\right\}"),
    "<": (r"\left\langle", r"\right\rangle"),
    "|": (r"\left|", r"\right|"),
    "‖": (r"\left\|", r"\right\|"),
}
_MATRIX = {"[": "bmatrix", "(": "pmatrix", "{": "Bmatrix", "|": "vmatrix", "‖": "Vmatrix"}
_SIZE_DEPTH = (("Bigg", 3.0), ("bigg", 2.4), ("Big", 1.8), ("big", 1.2))
"""Height plus depth of CMEX's fixed sizes, in em; the glyph hangs from its baseline."""

ROW_GAP = 0.6
"""Baselines further apart than this (em of the content's size) are different rows."""
COLUMN_GAP = 0.6
"""A horizontal gap at least this wide (em) in every row is a column separation: array
columns are 2 x 5 pt apart, binary operators and relations at most 5/18 em."""
BARE_COLUMN_GAP = 0.45
"""The same for an array with no delimiters, whose columns must also line up over two rows
or more: classes set ``\\arraycolsep`` narrower than LaTeX's 5 pt (revtex's columns are
0.6 em apart at 10 pt), still wider than a relation's thick spaces."""


def _family(name: str) -> tuple[str, str] | None:
    for prefix, kind, side in _FAMILIES:
        if name.startswith(prefix):
            return kind, side
    return None


def _fixed_size(name: str) -> bool:
    """One of CMEX's fixed sizes (``bracketleftbigg``), not an extensible piece."""
    return name.endswith(tuple(suffix for suffix, _ in _SIZE_DEPTH))


def hanging_extent(g: Glyph) -> tuple[float, float] | None:
    """The drawn top and bottom of a CMEX fixed size (a ``\\big`` delimiter, a radical
    ``radicalbig``), which hangs from its baseline; the text layer's box is the font's, three
    or four times taller. None for other glyphs."""
    name = piece_name(g)
    if g.ink or not name.endswith(tuple(suffix for suffix, _ in _SIZE_DEPTH)):
        return None
    return g.base, g.base + _depth(name) * g.size


def _one_glyph(g: Glyph) -> bool:
    """A delimiter drawn as one glyph: a CMEX fixed size, or a sized Unicode delimiter
    measured by its ink (``_ink``), which is never an extensible piece."""
    name = piece_name(g)
    return _fixed_size(name) or (g.ink and not name.endswith(("tp", "ex", "bt", "mid")))


def _depth(name: str) -> float:
    """How far below its baseline the glyph reaches, in em."""
    for suffix, depth in _SIZE_DEPTH:
        if name.endswith(suffix):
            return depth
    brace = name.startswith("brace")
    if name.endswith("ex"):
        return 0.3 if brace else 0.6
    if name.endswith(("tp", "bt")):
        return 0.9 if brace else 1.8
    return 1.8 if name.endswith("mid") else 1.0


@dataclass(slots=True)
class Delimiter:
    """One tall delimiter: a sized glyph or a column of pieces."""

    kind: str
    side: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    glyphs: list[Glyph] = field(default_factory=list)

    def same_height(self, other: Delimiter) -> bool:
        """The two span the same height (``\\left``/``\\right`` pairs are sized alike), so a
        bracket of one line never pairs with one of the next."""
        tolerance = 0.35 * max(self.size, other.size)
        return (
            abs(self.top - other.top) <= tolerance and abs(self.bottom - other.bottom) <= tolerance
        )


def find_delimiters(glyphs: list[Glyph]) -> list[Delimiter]:
    """Tall delimiters among ``glyphs``, pieces of one column joined, left to right."""
    out: list[Delimiter] = []
    for g in sorted(glyphs, key=lambda g: (g.x0, g.base)):
        name = piece_name(g)
        fam = _family(name) if name else None
        if fam is None:
            continue
        kind, side = fam
        if g.ink:  # its drawn outline (a Unicode delimiter of a font other than CMEX)
            top, bottom = g.y0, g.y1
        else:
            top, bottom = g.base - 0.05 * g.size, g.base + _depth(name) * g.size
        for d in out:
            # only extensible pieces stack (a delimiter of a fixed size is one glyph); two
            # \\bigl[ of consecutive lines stay two
            joins = (
                not _one_glyph(g)
                and not _one_glyph(d.glyphs[0])
                and (d.kind == kind and (d.side == side or "any" in (d.side, side)))
                and min(d.x1, g.x1) - max(d.x0, g.x0) > 0
            )
            if joins and top - d.bottom < 0.35 * g.size and d.top - bottom < 0.35 * g.size:
                d.top, d.bottom = min(d.top, top), max(d.bottom, bottom)
                d.x0, d.x1 = min(d.x0, g.x0), max(d.x1, g.x1)
                if d.side == "any":
                    d.side = side
                d.glyphs.append(g)
                break
        else:
            out.append(Delimiter(kind, side, g.x0, g.x1, top, bottom, g.size, [g]))
    return [d for d in out if d.side != "any"]


def group_delimited(glyphs: list[Glyph], bars: list[Bar]) -> list[Glyph]:
    """Replace big operators with their limits (:func:`group_operators`), then every matched
    pair of tall delimiters and what they enclose, by atoms.

    Args:
        glyphs: the glyphs of one formula.
        bars: horizontal rules drawn near it (fraction bars).

    Returns:
        The glyphs with each delimited group (innermost first) replaced by an atom glyph
        whose ``c`` is its LaTeX; unchanged when there are no tall delimiters.
    """
    glyphs = group_operators(glyphs)
    delims = find_delimiters(glyphs)
    if not delims:
        return glyphs
    pairs: list[tuple[Delimiter, Delimiter | None]] = []
    stack: list[Delimiter] = []
    for d in delims:
        match = None
        if d.side in ("close", "sym"):
            for k in range(len(stack) - 1, -1, -1):
                opener = stack[k]
                if _PARTNER[opener.kind] == d.kind and opener.same_height(d):
                    match = k
                    break
        if match is not None and d.side == "sym" and d.x0 - stack[match].x1 < 0.15 * d.size:
            # two bars set side by side enclose nothing: both open (``\\left|\\left|``,
            # a norm written with single bars), and close in the reverse order
            match = None
        if match is not None:
            # only the partner leaves the stack: a region can hold several rows, and an
            # opener of another row must stay open
            pairs.append((stack.pop(match), d))
        elif d.side in ("open", "sym"):
            stack.append(d)
    # an opening brace alone is cases; pair it after the groups inside it are built
    pairs.extend((d, None) for d in stack if d.kind == "{" and d.side == "open")
    work = list(glyphs)
    for left, right in pairs:
        work = _replace_group(work, left, right, bars)
    # a delimiter whose partner is on another row of a split display: the plain symbol
    paired = {id(d) for pair in pairs for d in pair if d is not None}
    for d in delims:
        taken = {id(g) for g in d.glyphs}
        if id(d) in paired or not taken <= {id(g) for g in work}:
            continue
        work = [g for g in work if id(g) not in taken]
        work.append(_atom(_LONE[d.side == "close"][d.kind], d.x0, d.top, d.x1, d.bottom, d.size))
    return work


_LONE = (
    {"[": "[", "(": "(", "{": "\\{", "<": "\\langle", "|": "|", "‖": "\\|"},
    {"]": "]", ")": ")", "}": "\\}", ">": "\\rangle", "|": "|", "‖": "\\|"},
)


def _mid(g: Glyph) -> float:
    return (g.y0 + g.y1) / 2 if g.name == "atom" else g.base - 0.3 * g.size


def _replace_group(
    glyphs: list[Glyph], left: Delimiter, right: Delimiter | None, bars: list[Bar]
) -> list[Glyph]:
    pieces = {id(g) for g in left.glyphs + (right.glyphs if right else [])}
    if not pieces <= {id(g) for g in glyphs}:
        return glyphs  # a piece was already taken by another group
    margin = 0.15 * left.size
    top, bottom = (
        min(left.top, right.top if right else left.top),
        max(left.bottom, right.bottom if right else left.bottom),
    )
    x_end = right.x0 + 0.3 if right else float("inf")
    inside = [
        g
        for g in glyphs
        if id(g) not in pieces
        and left.x1 - 0.3 <= (g.x0 + g.x1) / 2 <= x_end
        and top - margin <= _mid(g) <= bottom + margin
    ]
    latex, complete = _group_latex(inside, left.kind, right is not None, bars)
    taken = pieces | {id(g) for g in inside}
    x1 = right.x1 if right else max([left.x1] + [g.x1 for g in inside])
    atom = _atom(latex, left.x0, top, x1, bottom, left.size, complete=complete)
    out = [g for g in glyphs if id(g) not in taken]
    out.append(atom)
    return out


def _group_latex(inside: list[Glyph], kind: str, closed: bool, bars: list[Bar]) -> tuple[str, bool]:
    """LaTeX of a delimited group and whether every enclosed glyph mapped to LaTeX."""
    complete = all(glyph_mapped(g) for g in inside)
    rows = _rows(inside, bars)
    columns = _columns(inside)
    if not closed:
        cells = _cells(rows, columns, bars)
        return "\\begin{cases} " + _table(cells) + " \\end{cases}", complete
    if len(rows) < 2 and len(columns) < 2:
        opening, closing = _LEFT_RIGHT[kind]
        body = glyphs_to_latex(inside, bars_among(inside, bars)) if inside else ""
        return f"{opening} {body} {closing}", complete
    env = _MATRIX.get(kind, "bmatrix")
    cells = _cells(rows, columns, bars)
    return f"\\begin{{{env}}} {_table(cells)} \\end{{{env}}}", complete


def group_bare_array(glyphs: list[Glyph], bars: list[Bar]) -> list[Glyph]:
    """A display set as an ``array`` or ``matrix`` with no delimiters around it (a
    commutative diagram, a table of values): one ``matrix`` atom, else ``glyphs`` unchanged.

    TeX sets an array's cells centred in columns ``2\\arraycolsep`` (10 pt) apart and its rows
    on baselines ``\\arraystretch`` apart, with nothing across a column gap: the rows
    (:func:`_rows`, fraction parts in their bar's row) leave gaps of ``COLUMN_GAP`` em at the
    same places (:func:`_columns`, ``BARE_COLUMN_GAP``), one row holds two cells or more, and one column cells of
    two rows or more (the rows of a ``multline`` set apart leave a gap, each on its own side).
    A cell with a relation among other glyphs (an equation: the column pairs of an ``align``,
    conditions set a ``\\quad`` apart, ``x`` apart from ``= a + b``) is no array entry; a cell
    that is only a relation (a diagram's arrow, its label over it) is. The cells of a column
    line up as TeX sets them (:func:`_aligned`): pieces of a display that only happen to
    leave gaps at the same places do not."""
    rows = _rows(glyphs, bars)
    columns = _columns(glyphs, BARE_COLUMN_GAP)
    if len(rows) < 2 or len(columns) < 2:
        return glyphs
    cells = [
        [[g for g in row if x0 - 0.1 <= (g.x0 + g.x1) / 2 <= x1 + 0.1] for x0, x1 in columns]
        for row in rows
    ]
    if not any(sum(bool(cell) for cell in row) >= 2 for row in cells) or not any(
        sum(bool(row[k]) for row in cells) >= 2 for k in range(len(columns))
    ):
        return glyphs
    if any(_is_equation(cell) for row in cells for cell in row):
        return glyphs
    if not all(_aligned(column) for column in zip(*cells, strict=True)):
        return glyphs
    latex = "\\begin{matrix} " + _table(_cells(rows, columns, bars)) + " \\end{matrix}"
    size = max(g.size for g in glyphs)
    box = (
        min(g.x0 for g in glyphs),
        min(g.y0 for g in glyphs),
        max(g.x1 for g in glyphs),
        max(g.y1 for g in glyphs),
    )
    complete = all(glyph_mapped(g) for g in glyphs)
    return [_atom(latex, box[0], box[1], box[2], box[3], size, complete=complete)]


def _aligned(column: tuple[list[Glyph], ...]) -> bool:
    """The cells of one array column line up as TeX sets them: centred (``c``), or flush
    left or right (``l``, ``r``), within a tenth of an em."""
    boxes = [
        (min(g.x0 for g in c), max(g.x1 for g in c), max(g.size for g in c)) for c in column if c
    ]
    if len(boxes) < 2:
        return True
    tol = 0.1 * max(b[2] for b in boxes)
    edges = (
        [(b[0] + b[1]) / 2 for b in boxes],
        [b[0] for b in boxes],
        [b[1] for b in boxes],
    )
    return any(max(e) - min(e) <= tol for e in edges)


def _is_equation(cell: list[Glyph]) -> bool:
    """A relation in the cell with other glyphs on its baseline (``a = b``, ``= a + b``): a
    relation that is an array entry stands alone in its cell (a label may be set over it)."""
    for rel in cell:
        if rel.c not in EQUATION_RELATIONS:
            continue
        if any(g is not rel and abs(g.base - rel.base) < 0.2 * rel.size for g in cell):
            return True
    return False


def _anchor(g: Glyph, bars: list[Bar], size: float) -> float:
    """The baseline of the row ``g`` belongs to: its own, or for a numerator or
    denominator, the row of its fraction bar."""
    cx = (g.x0 + g.x1) / 2
    # the widest bar first: a nested fraction's glyphs are in the row of the fraction around it
    for bar in sorted(bars, key=lambda b: b.x1 - b.x0, reverse=True):
        if not bar.x0 - 1 <= cx <= bar.x1 + 1:
            continue
        if g.name != "atom" and (
            -1.0 * size <= g.base - bar.y <= 1.1 * size
            # a denominator that holds a fraction (``\\frac{a}{\\frac{1}{2}|b|}``) sits lower:
            # TeX keeps its clearance under the bar, and fonts with larger fraction
            # parameters than CM's (Fourier) set its baseline past 1.1 em; its box still
            # starts right under the bar. The next row of a matrix starts lower still.
            or (g.base - bar.y <= 1.6 * size and 0 <= g.y0 - bar.y <= 0.6 * size)
        ):
            return bar.y + 0.25 * size
        # a group (a radical, a bracket) over or under the bar, by its box: its baseline
        # says nothing of the bar (\frac{2^5\sqrt{2}}{3^3\sqrt{3}} inside \left(...\right))
        if g.name == "atom" and (
            -0.1 * size <= bar.y - g.y1 <= 0.6 * size or -0.1 * size <= g.y0 - bar.y <= 0.6 * size
        ):
            return bar.y + 0.25 * size
    return g.base


def _rows(inside: list[Glyph], bars: list[Bar]) -> list[list[Glyph]]:
    if not inside:
        return []
    size = max(g.size for g in inside)
    near = bars_among(inside, bars)
    anchors = {id(g): _anchor(g, near, size) for g in inside}
    mains = sorted(anchors[id(g)] for g in inside if g.size >= 0.85 * size or g.name == "atom")
    baselines: list[list[float]] = []
    for a in mains:
        if baselines and a - baselines[-1][-1] <= ROW_GAP * size:
            baselines[-1].append(a)
        else:
            baselines.append([a])
    centres = [sum(b) / len(b) for b in baselines]
    rows: list[list[Glyph]] = [[] for _ in centres]
    for g in inside:
        k = min(range(len(centres)), key=lambda i: abs(centres[i] - anchors[id(g)]))
        rows[k].append(g)
    return [r for r in rows if r]


def _columns(inside: list[Glyph], gap: float = COLUMN_GAP) -> list[tuple[float, float]]:
    """x-ranges of the columns: runs of glyphs with no gap of ``gap`` em."""
    if not inside:
        return []
    size = max(g.size for g in inside)
    spans = sorted((g.x0, g.x1) for g in inside)
    cols = [list(spans[0])]
    for x0, x1 in spans[1:]:
        if x0 - cols[-1][1] >= gap * size:
            cols.append([x0, x1])
        else:
            cols[-1][1] = max(cols[-1][1], x1)
    return [(a, b) for a, b in cols]


def _cells(
    rows: list[list[Glyph]], columns: list[tuple[float, float]], bars: list[Bar]
) -> list[list[str]]:
    table = []
    for row in rows:
        cells = []
        for x0, x1 in columns:
            gs = [g for g in row if x0 - 0.1 <= (g.x0 + g.x1) / 2 <= x1 + 0.1]
            cells.append(glyphs_to_latex(gs, bars_among(gs, bars)) if gs else "")
        table.append(cells)
    return table


def _table(cells: list[list[str]]) -> str:
    return " \\\\ ".join(" & ".join(row) for row in cells)
