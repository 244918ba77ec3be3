"""Rows of a display-equation region: visual rows (baselines) and equation rows.

A region found on the page may hold several equations printed one under the other (align,
eqnarray, gather, split): the LaTeX source splits those per row, and so does this module,
so that each row is read (and searched) on its own. Rows of a matrix or of cases are not
equation rows: a tall delimiter holds them together.
"""

from __future__ import annotations

import logging
from bisect import bisect_left

from scipix_search.ingest.pdf._families import is_extension_font, is_italic_font, is_math_font
from scipix_search.ingest.pdf._glyphs import ACCENTS, PUA_PIECES, Bar, Glyph
from scipix_search.ingest.pdf._operators import big_operator_extent

logger = logging.getLogger(__name__)

RELATIONS = frozenset("=<>≤≥≈≡∼≃∝∈∉∋⊂⊆⊃⊇≺⪯≻⪰≠≪≫≲≳⩽⩾≅≔→←↦⇒⇐⇔⊢⊨⊣")
"""Characters that make a row an equation of its own, or the continuation of one."""
EQUATION_RELATIONS = RELATIONS | frozenset(":")
"""Relations that make a row or an array cell an equation: with the colon, which TeX sets as
a relation (``\\mathrel``: ``f : A \\to B``, the typing rows of an ``alignat`` that name no
other relation, ``(z : \\mathsf{Tm}\\,\\Gamma\\,A)``); a sentence's colon is never inside a
display row."""
_CONTINUATION = RELATIONS | frozenset("+−-±∓×·")
_TALL_CHARS = frozenset("∑∏∐∫∬∭∮⋃⋂⨁⨂⨀⋁⋀√")

VisualRow = tuple[float, float, list[Glyph]]
"""Top, bottom and glyphs of one visual row."""


def visual_rows(glyphs: list[Glyph], bars: list[Bar], body_size: float) -> list[VisualRow]:
    """Group glyphs into rows: main-size glyphs by baseline, with small glyphs, fraction
    parts and tall delimiters attached to the row they belong to. Sizes are measured against
    the page's body size, or the formula's own text size where that is larger (a page whose
    prose lines are mostly a figure's or a table's smaller print: a superscript of the
    formula's text size reached the body size and was made a row of its own)."""
    body_size = max(body_size, formula_size(glyphs)) if glyphs else body_size
    # accents are set as glyphs of the main size on a baseline of their own; never a row
    glyphs_main = [g for g in glyphs if g.size >= 0.9 * body_size and g.c not in ACCENTS]
    mains: list[float] = sorted({round(g.base) for g in glyphs_main})
    if not mains:
        mains = sorted({round(g.base) for g in glyphs})
    baselines: list[float] = []
    for b in mains:
        if not baselines or b - baselines[-1] > 0.5 * body_size:
            baselines.append(b)
    # a baseline whose glyphs all sit over/under a fraction bar is a numerator/denominator;
    # the top of a big operator, radical or tall delimiter beside it does not make it a row
    # either (fonts other than Computer Modern give such glyphs baselines of their own)
    keep: list[float] = []
    frac_bars: dict[float, list[float]] = {}
    for b in baselines:
        row = [g for g in glyphs_main if abs(g.base - b) <= 0.5 * body_size]
        in_frac = all(_tall(g) or _bars_of(g, bars, body_size) for g in row)
        if not in_frac or len(baselines) == 1:
            keep.append(b)
        else:
            frac_bars[b] = [bar.y for g in row for bar in _bars_of(g, bars, body_size)]
    if not keep:
        keep, frac_bars = baselines, {}
    # a numerator or denominator belongs to the row of its bar, which TeX sets on the math
    # axis, a quarter em above that row's baseline; its scripts go with it (a deep denominator
    # ``k_0^2`` reaches nearer to the next row's baseline than to its own row's)
    owner = {b: b for b in keep}
    for b, ys in frac_bars.items():
        if ys:
            axis = sum(ys) / len(ys)
            owner[b] = min(keep, key=lambda k: abs(k - 0.25 * body_size - axis))

    def row_of(center: float) -> float:
        nearest = min(baselines, key=lambda b: abs(b - 0.3 * body_size - center))
        if nearest not in owner:
            nearest = min(keep, key=lambda b: abs(b - 0.3 * body_size - center))
        return owner[nearest]

    rows: dict[float, list[Glyph]] = {b: [] for b in keep}
    scripts = _operator_scripts(glyphs, body_size)
    for g in glyphs:
        rows[row_of(scripts.get(id(g), (g.y0 + g.y1) / 2))].append(g)
    baselines = keep
    out = []
    for b in baselines:
        gs = rows[b]
        if gs:
            out.append((min(g.y0 for g in gs), max(g.y1 for g in gs), gs))
    return out


def _operator_scripts(glyphs: list[Glyph], body_size: float) -> dict[int, float]:
    """Small glyphs set as the scripts of a big operator at its right (``\\int_{a}^{b}``:
    TeX sets a display integral's scripts down to its foot and up to its head), by ``id``,
    with the operator's centre: they go with its row. The lower one reaches nearer to a
    left-hand side centred between two rows of an ``aligned`` than to its own row."""
    ops = [(g, ext) for g in glyphs if (ext := big_operator_extent(g)) is not None]
    if not ops:
        return {}
    small = sorted((g for g in glyphs if g.size < 0.9 * body_size), key=lambda g: g.x0)
    found: dict[int, float] = {}
    for op, (top, bottom) in ops:
        reach = op.x1
        for g in small:
            if g is op or g.x0 < op.x1 - 0.2 * body_size or g.x0 > reach + 0.3 * body_size:
                continue
            # a script of the script (``\\rho_L``) may hang a little past the foot
            if top - 0.25 * body_size <= (g.y0 + g.y1) / 2 <= bottom + 0.25 * body_size:
                found.setdefault(id(g), (top + bottom) / 2)
                reach = max(reach, g.x1)
    return found


def _bars_of(g: Glyph, bars: list[Bar], body_size: float) -> list[Bar]:
    """The bars a glyph sits over or under (it is a numerator or denominator of them)."""
    return [
        bar
        for bar in bars
        if bar.x0 - 1 <= (g.x0 + g.x1) / 2 <= bar.x1 + 1
        and abs(bar.y - (g.y0 + g.y1) / 2) < 1.6 * body_size
    ]


def equation_rows(rows: list[VisualRow], body_size: float) -> list[list[Glyph]]:
    """Group visual rows into equation rows.

    A cut goes between two visual rows when nothing printed spans both (a tall delimiter,
    a stack of bracket pieces) and the lower row is an equation or a continuation of one:
    it starts with a relation or an operator (``= H(c) + ...``, ``+ \\sum ...``), or both rows
    hold a relation (``u = ...`` over ``w = ...``).

    Args:
        rows: visual rows, top to bottom (from :func:`visual_rows`).
        body_size: the page's body font size.

    Returns:
        The glyphs of each equation row, top to bottom (one entry when nothing splits).
    """
    if not rows:
        return []
    glyphs = [g for _, _, gs in rows for g in gs]
    # the formula's own text size (the page's body size can be a footnote or appendix size)
    main_size = formula_size(glyphs)
    groups: list[list[Glyph]] = [list(rows[0][2])]
    for k in range(1, len(rows)):
        above = [g for _, _, gs in rows[:k] for g in gs]
        below = [g for _, _, gs in rows[k:] for g in gs]
        if _separable(above, below, main_size) and _starts_equation(
            groups[-1], rows[k][2], main_size
        ):
            groups.append(list(rows[k][2]))
        else:
            groups[-1].extend(rows[k][2])
    return groups


def formula_size(glyphs: list[Glyph]) -> float:
    """A formula's own text size: the largest size that 30 % of its glyphs reach."""
    sizes = sorted(g.size for g in glyphs)
    # how many glyphs reach 90 % of each size: a binary search, not a count over all
    return max(
        size
        for size in set(sizes)
        if len(sizes) - bisect_left(sizes, 0.9 * size) >= 0.3 * len(sizes)
    )


def _separable(above: list[Glyph], below: list[Glyph], main_size: float) -> bool:
    """No glyph reaches across: the rows above end before the rows below start, and no
    delimiter piece above continues one below (a bracket built from pieces)."""
    if max(_ink(g)[1] for g in above) > min(_ink(g)[0] for g in below) + 0.25 * main_size:
        return False
    pieces_above = [g for g in above if _is_piece(g)]
    for low in (g for g in below if _is_piece(g)):
        for high in pieces_above:
            if min(high.x1, low.x1) - max(high.x0, low.x0) > 0 and low.y0 - high.y1 < 2.0:
                return False
    return True


def _ink(g: Glyph) -> tuple[float, float]:
    """Vertical extent of a glyph's ink. The text layer's boxes span the font's ascent and
    descent (a CMSY minus sign is 19 pt tall at 11 pt), so ordinary glyphs are clipped to
    the usual ink band around their baseline; delimiter pieces and big operators keep it."""
    if _is_piece(g) or g.name == "atom" or g.ink or is_extension_font(g.font):
        return g.y0, g.y1
    return max(g.y0, g.base - 0.8 * g.size), min(g.y1, g.base + 0.3 * g.size)


def _tall(g: Glyph) -> bool:
    """A glyph that reaches over more than one text line: a big operator, a radical sign,
    a delimiter piece or any extension-font glyph."""
    return g.c in _TALL_CHARS or _is_piece(g) or g.ink or is_extension_font(g.font)


def _is_piece(g: Glyph) -> bool:
    """A part of a tall delimiter: Symbol-font bracket pieces (:data:`_glyphs.PUA_PIECES`; not
    the rest of that private-use block, whose sans ® © ™ are no pieces), or a CMEX glyph
    without a Unicode value."""
    code = ord(g.c[0]) if g.c else 0
    return code in PUA_PIECES or (g.c == "\ufffd" and is_extension_font(g.font))


def _starts_equation(upper: list[Glyph], lower: list[Glyph], main_size: float) -> bool:
    # limits under an operator (j = 1, ..., k) are a visual row in script size, not an equation
    for row in (upper, lower):
        if sum(g.size >= 0.9 * main_size for g in row) < 2:
            return False
    first = min(lower, key=lambda g: g.x0)
    if first.c in _CONTINUATION or _labelled(lower, main_size):
        return True
    return any(g.c in EQUATION_RELATIONS for g in upper) and any(
        g.c in EQUATION_RELATIONS for g in lower
    )


_OPTIMISE = ("\\min", "\\max", "\\arg", "\\operatorname*{arg")


def _labelled(row: list[Glyph], main_size: float) -> bool:
    """The row starts with a word of upright text (``min.``, ``s.t.``, ``subject to``): the
    label column of an aligned problem statement, where every row is an equation of its
    own and most hold no relation."""
    line = sorted((g for g in row if g.size >= 0.9 * main_size), key=lambda g: g.x0)
    if len(line) < 2 or min(g.x0 for g in row) < line[0].x0 - 0.1 * main_size:
        return False
    if line[0].name == "atom" and line[0].c.startswith(_OPTIMISE):
        return True  # an operator word made an atom with its limits: min_x, arg max
    word = 0
    for g, h in zip(line, line[1:], strict=False):
        if not _text_letter(g) and not (word and g.c == "."):
            break
        word += 1
        if h.x0 - g.x1 > 0.1 * main_size:
            break
    return word >= 2 and _text_letter(line[0])


def _text_letter(g: Glyph) -> bool:
    return g.c.isalpha() and not is_math_font(g.font) and not is_italic_font(g.font)
