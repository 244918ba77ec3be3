"""Radicals: a radical sign, the rule drawn over its radicand, and an optional index.

TeX sets ``\\sqrt{x}`` as a radical glyph (``√`` of the symbol font, or ``radicalbig`` ...
of the extension font, which has no Unicode value) whose top meets a drawn rule (the
vinculum) that spans the radicand. Read left to right, the sign, the rule and the radicand
are three unrelated things: the rule looks like a fraction bar over nothing. Here each
radical becomes one atom ``\\sqrt[n]{...}`` (innermost first), and its rules are taken out
of the bars the row logic sees.
"""

from __future__ import annotations

from scipix_search.ingest.pdf._atoms import atom, piece_name
from scipix_search.ingest.pdf._glyphs import Bar, Glyph, glyph_mapped, glyphs_to_latex, median

# how far below its rule each size of radical reaches, in em
_DEPTH = (("Bigg", 3.1), ("bigg", 2.5), ("Big", 1.9), ("big", 1.3))
_TEXT_SIZE = frozenset({"radical", "radicallow"})
"""The symbol font's own (text-size) radical sign, when the font gives it no Unicode value:
CMSY calls it ``radical``, Fourier's symbol font ``radicallow``."""


def _radical_depth(g: Glyph) -> float | None:
    """The radical's ink height below its rule (em), or None when ``g`` is no radical."""
    name = piece_name(g)
    if name.startswith("radical"):
        if g.ink:  # measured (``_ink``): the sign reaches from its rule down to its ink's foot
            return (g.y1 - g.y0) / g.size
        for suffix, depth in _DEPTH:
            if name.endswith(suffix):
                return depth
        if name in _TEXT_SIZE:
            return 1.2
        return None  # an extensible radical built of pieces: left to the OCR
    return 1.2 if g.c == "√" else None


def radical_extent(g: Glyph) -> tuple[float, float] | None:
    """The drawn top and bottom of a radical sign: TeX's hang from their baseline, level with
    the rule (CMSY's ``√`` too), where the text layer may give the font's box. None for
    other glyphs."""
    depth = _radical_depth(g)
    if depth is None:
        return None
    return (g.y0, g.y1) if g.ink else (g.base, g.base + depth * g.size)


def _vinculum(g: Glyph, bars: list[Bar]) -> Bar | None:
    """The rule that starts where the radical sign ends, level with its top."""
    near = [
        b
        for b in bars
        if abs(b.x0 - g.x1) <= 0.3 * g.size
        and b.x1 - b.x0 > 0.2 * g.size
        and g.y0 - 0.4 * g.size <= b.y <= g.y1 + 0.2 * g.size
    ]
    return min(near, key=lambda b: abs(b.x0 - g.x1), default=None)


def group_radicals(glyphs: list[Glyph], bars: list[Bar]) -> tuple[list[Glyph], list[Bar]]:
    """Replace every radical with what it covers by an atom ``\\sqrt[index]{radicand}``.

    Returns:
        The glyphs with radicals replaced (innermost first, so a radical in a radicand is
        already an atom when the outer one is built), and the bars without the rules that
        belong to a radical (its vinculum, and fraction bars inside its radicand).
    """
    found = []
    for g in glyphs:
        depth = _radical_depth(g)
        if depth is None:
            continue
        bar = _vinculum(g, bars)
        if bar is not None:
            found.append((bar.x1 - bar.x0, g, bar, depth))
    if not found:
        return glyphs, bars
    work, rest = list(glyphs), list(bars)
    for _, sign, bar, depth in sorted(found, key=lambda t: t[0]):
        if not any(g is sign for g in work):
            continue
        bottom = bar.y + depth * sign.size
        inside = [
            g
            for g in work
            if g is not sign
            and g.x0 >= bar.x0 - 0.15 * sign.size
            and g.x1 <= bar.x1 + 0.25 * sign.size
            and g.y1 > bar.y
            and (g.y0 + g.y1) / 2 < bottom
            and _below_rule(g, bar)
        ]
        if not inside:
            continue
        index = _index(work, sign, bar, bottom)
        inner_bars = [b for b in rest if b is not bar and _covers(b, inside)]
        text = glyphs_to_latex(inside, inner_bars)
        latex = "\\sqrt" + (f"[{glyphs_to_latex(index, [])}]" if index else "") + f"{{{text}}}"
        parts = inside + index
        full = [g.base for g in inside if g.size >= 0.9 * max(h.size for h in inside)]
        radical = atom(
            latex,
            min(g.x0 for g in [sign, *index]),
            min(bar.y - 0.1 * sign.size, *(g.y0 for g in index)) if index else bar.y,
            max(bar.x1, *(g.x1 for g in inside)),
            max(sign.y1, *(g.y1 for g in inside)),
            sign.size,
            complete=all(glyph_mapped(g) for g in parts),
            base=None if inner_bars else median(full),
        )
        taken = {id(g) for g in [sign, *parts]}
        work = [g for g in work if id(g) not in taken] + [radical]
        rest = [b for b in rest if b is not bar and all(b is not ib for ib in inner_bars)]
    return work, rest


def _index(work: list[Glyph], sign: Glyph, bar: Bar, bottom: float) -> list[Glyph]:
    """The index of ``\\sqrt[n]``: small glyphs set over the left part of the sign (TeX kerns
    it back over the sign), with the run of small glyphs just left of them. A script of the
    symbol before the radical ends where the sign starts, so it is not taken."""
    small = sorted(
        (
            g
            for g in work
            if g is not sign
            and g.size < 0.85 * sign.size
            and g.base < (bar.y + bottom) / 2
            and g.y1 > bar.y - 0.8 * sign.size
            and g.x1 <= sign.x1
        ),
        key=lambda g: g.x0,
    )
    width = sign.x1 - sign.x0
    over = [g for g in small if g.x1 > sign.x0 + 0.15 * width]
    if not over:
        return []
    run = [over[-1]]
    for g in reversed(small[: small.index(over[-1])]):
        if run[0].x0 - g.x1 > 0.3 * sign.size:
            break
        run.insert(0, g)
    return run


def _below_rule(g: Glyph, bar: Bar) -> bool:
    """Under the vinculum: the glyph's ink starts at or below the rule."""
    return g.y0 >= bar.y - 0.35 * g.size or g.name == "atom" and g.y0 >= bar.y - 0.5


def _covers(b: Bar, inside: list[Glyph]) -> bool:
    """A fraction bar of the radicand: within its glyphs' extent."""
    x0, x1 = min(g.x0 for g in inside), max(g.x1 for g in inside)
    y0, y1 = min(g.y0 for g in inside), max(g.y1 for g in inside)
    return x0 - 1 <= b.x0 and b.x1 <= x1 + 1 and y0 <= b.y <= y1
