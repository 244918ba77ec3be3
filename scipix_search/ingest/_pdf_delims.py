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

from scipix_search.ingest._pdf_glyphs import (
    Bar,
    Glyph,
    bars_among,
    glyph_mapped,
    glyphs_to_latex,
)

logger = logging.getLogger(__name__)

ATOM_FONT = "ScipixMathAtom"
"""Font name of atoms; ``-partial`` is appended when some enclosed glyph did not map."""

_PUA_PIECES = {
    0xF8EB: "parenlefttp", 0xF8EC: "parenleftex", 0xF8ED: "parenleftbt",
    0xF8EE: "bracketlefttp", 0xF8EF: "bracketleftex", 0xF8F0: "bracketleftbt",
    0xF8F1: "bracelefttp", 0xF8F2: "braceleftmid", 0xF8F3: "braceleftbt", 0xF8F4: "braceex",
    0xF8F6: "parenrighttp", 0xF8F7: "parenrightex", 0xF8F8: "parenrightbt",
    0xF8F9: "bracketrighttp", 0xF8FA: "bracketrightex", 0xF8FB: "bracketrightbt",
    0xF8FC: "bracerighttp", 0xF8FD: "bracerightmid", 0xF8FE: "bracerightbt",
}  # fmt: skip
"""Symbol-font pieces of tall delimiters (Adobe's private-use code points), by glyph name."""

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


def piece_name(g: Glyph) -> str:
    """The delimiter-piece glyph name of ``g`` (from the font or the private-use code point)."""
    if g.name and g.name != "atom":
        return g.name
    return _PUA_PIECES.get(ord(g.c[0]), "") if g.c else ""


def _family(name: str) -> tuple[str, str] | None:
    for prefix, kind, side in _FAMILIES:
        if name.startswith(prefix):
            return kind, side
    return None


def _fixed_size(name: str) -> bool:
    """One of CMEX's fixed sizes (``bracketleftbigg``), not an extensible piece."""
    return name.endswith(tuple(suffix for suffix, _ in _SIZE_DEPTH))


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
        top, bottom = g.base - 0.05 * g.size, g.base + _depth(name) * g.size
        for d in out:
            # only extensible pieces stack (a delimiter of a fixed size is one glyph); two
            # \\bigl[ of consecutive lines stay two
            joins = (
                not _fixed_size(name)
                and not _fixed_size(piece_name(d.glyphs[0]))
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


def _atom(
    latex: str,
    x0: float,
    top: float,
    x1: float,
    bottom: float,
    size: float,
    *,
    complete: bool = True,
    base: float | None = None,
) -> Glyph:
    """A glyph standing for a rebuilt group; centred on the math axis unless ``base`` is given."""
    return Glyph(
        latex,
        x0,
        top,
        x1,
        bottom,
        (top + bottom) / 2 + 0.25 * size if base is None else base,
        size,
        ATOM_FONT if complete else f"{ATOM_FONT}-partial",
        "atom",
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


def _anchor(g: Glyph, bars: list[Bar], size: float) -> float:
    """The baseline of the row ``g`` belongs to: its own, or for a numerator or
    denominator, the row of its fraction bar."""
    if g.name != "atom":
        cx = (g.x0 + g.x1) / 2
        for bar in bars:
            if bar.x0 - 1 <= cx <= bar.x1 + 1 and -1.0 * size <= g.base - bar.y <= 1.1 * size:
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


def _columns(inside: list[Glyph]) -> list[tuple[float, float]]:
    """x-ranges of the columns: runs of glyphs with no gap of ``COLUMN_GAP`` em."""
    if not inside:
        return []
    size = max(g.size for g in inside)
    spans = sorted((g.x0, g.x1) for g in inside)
    cols = [list(spans[0])]
    for x0, x1 in spans[1:]:
        if x0 - cols[-1][1] >= COLUMN_GAP * size:
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


_OPERATORS = {
    "summation": "\\sum", "product": "\\prod", "coproduct": "\\coprod", "integral": "\\int",
    "contintegral": "\\oint", "union": "\\bigcup", "intersection": "\\bigcap",
    "circleplus": "\\bigoplus", "circlemultiply": "\\bigotimes", "circledot": "\\bigodot",
    "logicaland": "\\bigwedge", "logicalor": "\\bigvee", "unionmulti": "\\biguplus",
}  # fmt: skip
"""CMEX big operators by glyph-name prefix (tried longest first: ``unionmulti`` before ``union``)."""
_UNICODE_OPERATORS = {"∑": "\\sum", "∏": "\\prod", "∫": "\\int", "⋃": "\\bigcup", "⋂": "\\bigcap"}
_OPERATOR_DEPTH = {"integraldisplay": 2.22, "integraltext": 1.11, "contintegraldisplay": 2.22}


def _operator(g: Glyph) -> tuple[str, float, float] | None:
    """(LaTeX, ink top, ink bottom) of a big-operator glyph, or None."""
    name = piece_name(g)
    for prefix in sorted(_OPERATORS, key=len, reverse=True):
        latex = _OPERATORS[prefix]
        if name.startswith(prefix):
            depth = _OPERATOR_DEPTH.get(name, 1.4 if name.endswith("display") else 1.0)
            return latex, g.base, g.base + depth * g.size
    latex = _UNICODE_OPERATORS.get(g.c)
    if latex is not None and not name:
        if "CMEX" in g.font.upper():  # hangs from its baseline, as the named ones do
            return latex, g.base, g.base + 1.4 * g.size
        return latex, g.base - 0.75 * g.size, g.base + 0.25 * g.size
    return None


def group_operators(glyphs: list[Glyph]) -> list[Glyph]:
    """Big operators (``\\sum``, ``\\int``, ...) and operator words (``min``, ``lim``) with
    their limits set under and over them become atoms ``\\sum_{lower}^{upper}``.

    The text layer lists limits as small glyphs below or above the operator, often wider
    than it; read left to right they would split the word or follow the wrong symbol.
    """
    ops: list[tuple[list[Glyph], str, float, float]] = []
    for g in glyphs:
        found = _operator(g)
        if found is not None:
            ops.append(([g], *found))
    ops.extend(_operator_words(glyphs))
    if not ops:
        return glyphs
    # the formula's text size: a Symbol-font sum is set larger, and must not make the rest
    # of its row look like scripts
    members_of_ops = {id(m) for ms, *_ in ops for m in ms}
    others = [g.size for g in glyphs if g.c.strip() and id(g) not in members_of_ops]
    text_size = max(others, default=max(g.size for g in glyphs))
    centres = [
        ((min(m.x0 for m in ms) + max(m.x1 for m in ms)) / 2, top, bottom)
        for ms, _, top, bottom in ops
    ]
    work = list(glyphs)
    for members, latex, top, bottom in ops:
        present = {id(g) for g in work}
        if not all(id(m) in present for m in members):
            continue
        size = min(max(m.size for m in members), text_size)  # r_{\min} stays a script
        x0, x1 = min(m.x0 for m in members), max(m.x1 for m in members)
        taken = {id(m) for m in members}
        rest = [g for g in work if id(g) not in taken]
        takes_limits = len(members) == 1 or latex in _LIMIT_OPERATORS
        # two operators side by side (\sum_{j}\sum_{x}): a limit glyph is the nearer one's
        centre = (x0 + x1) / 2
        mine = [g for g in rest if _nearest(g, centres, top, bottom) == centre]
        lower = _limits(mine, x0, x1, size, below=bottom) if takes_limits else []
        upper = _limits(mine, x0, x1, size, above=top) if takes_limits else []
        text = latex
        if lower:
            text += "_{" + glyphs_to_latex(lower, []) + "}"
        if upper:
            text += "^{" + glyphs_to_latex(upper, []) + "}"
        parts = members + lower + upper
        # the row's baseline: a word's own; an operator is centred on the math axis (its
        # limits excluded, they hang below or above it)
        row_base = members[0].base if len(members) > 1 else (top + bottom) / 2 + 0.25 * size
        atom = _atom(
            text,
            min(g.x0 for g in parts),
            min(top, *(g.y0 for g in upper)) if upper else top,
            max(g.x1 for g in parts),
            max(bottom, *(g.base + 0.25 * g.size for g in lower)) if lower else bottom,
            size,
            complete=all(glyph_mapped(g) for g in lower + upper),
            base=row_base,
        )
        taken |= {id(g) for g in lower + upper}
        work = [g for g in work if id(g) not in taken] + [atom]
    return work


def _nearest(
    g: Glyph, centres: list[tuple[float, float, float]], top: float, bottom: float
) -> float:
    """x-centre of the operator (of those level with ``top``..``bottom``) nearest to ``g``."""
    level = [c for c, t, b in centres if min(b, bottom) - max(t, top) > 0] or [
        c for c, _, _ in centres
    ]
    cx = (g.x0 + g.x1) / 2
    return min(level, key=lambda c: abs(c - cx))


def _operator_words(glyphs: list[Glyph]) -> list[tuple[list[Glyph], str, float, float]]:
    """Runs of upright letters spelling an operator name (``min``, ``log``, ``arg min``).

    Letters are taken per baseline and size, so limits set under a word do not split it.
    """
    lines: dict[tuple[int, float], list[Glyph]] = {}
    for g in glyphs:
        if g.c.isascii() and g.c.isalpha() and g.name != "atom" and _upright(g.font):
            lines.setdefault((round(g.base), round(g.size, 1)), []).append(g)
    out = []
    for letters in lines.values():
        letters.sort(key=lambda g: g.x0)
        runs = [[letters[0]]]
        for g in letters[1:]:
            gap = g.x0 - runs[-1][-1].x1
            # "arg min" is set with a thin space between the two words
            if gap < 0.35 * g.size:
                runs[-1].append(g)
            else:
                runs.append([g])
        for i, run in enumerate(runs):
            word = "".join(g.c for g in run)
            if (
                word in ("min", "max")
                and i > 0
                and "".join(g.c for g in runs[i - 1]).endswith("arg")
            ) and run[0].x0 - runs[i - 1][-1].x1 < 0.6 * run[0].size:
                run = runs[i - 1][-3:] + run
                word = "arg" + word
            name = next((n for n in _WORD_OPERATORS if n == word), None)
            if name is None:
                continue
            size = run[0].size
            top, base = run[0].base - 0.7 * size, run[0].base
            out.append((run, _WORD_OPERATORS[name], top, base + 0.2 * size))
    return out


def _upright(font: str) -> bool:
    font = font.upper()
    return not any(k in font for k in ("CMMI", "ITAL", "SLANT", "OBLIQUE", "-IT", "CMSY"))


_WORD_OPERATORS = {
    "argmin": "\\operatorname*{arg\\,min}", "argmax": "\\operatorname*{arg\\,max}",
    "min": "\\min", "max": "\\max", "lim": "\\lim", "sup": "\\sup", "inf": "\\inf",
    "log": "\\log", "ln": "\\ln", "exp": "\\exp", "det": "\\det", "sin": "\\sin",
    "cos": "\\cos", "tan": "\\tan", "Pr": "\\Pr", "tr": "\\operatorname{tr}",
}  # fmt: skip
"""Operator words set in an upright font, as LaTeX; limits attach to the first seven."""
_LIMIT_OPERATORS = frozenset(list(_WORD_OPERATORS.values())[:7])


def _limits(
    glyphs: list[Glyph],
    x0: float,
    x1: float,
    size: float,
    *,
    below: float | None = None,
    above: float | None = None,
) -> list[Glyph]:
    """Small glyphs set under (``below``: the operator's ink bottom) or over (``above``: its
    ink top) the operator, in the run that is centred on it."""
    band = []
    for g in glyphs:
        if g.size > 0.85 * size or g.name == "atom":
            continue
        if below is not None and not (
            below - 0.2 * size <= g.base - 0.55 * g.size and g.base <= below + 1.4 * size
        ):
            continue
        if above is not None and not (above - 1.0 * size <= g.base <= above + 0.15 * size):
            continue
        band.append(g)
    if not band:
        return []
    band.sort(key=lambda g: g.x0)
    runs = [[band[0]]]
    for g in band[1:]:
        if g.x0 - max(h.x1 for h in runs[-1]) < 0.35 * size:
            runs[-1].append(g)
        else:
            runs.append([g])
    centre = (x0 + x1) / 2
    for run in runs:
        r0, r1 = run[0].x0, max(g.x1 for g in run)
        if r0 <= x1 and r1 >= x0 and abs((r0 + r1) / 2 - centre) < 0.5 * (r1 - r0) + 0.3 * size:
            return run
    return []
