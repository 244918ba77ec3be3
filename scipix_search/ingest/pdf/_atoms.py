"""Atoms: one :class:`Glyph` standing for a rebuilt group (a matrix, a big operator with its
limits), so that the row and script logic handles the group like any other glyph."""

from __future__ import annotations

from scipix_search.ingest.pdf._glyphs import PUA_PIECES, Glyph

ATOM_FONT = "ScipixMathAtom"
"""Font name of atoms; ``-partial`` is appended when some enclosed glyph did not map."""


def piece_name(g: Glyph) -> str:
    """The delimiter-piece glyph name of ``g`` (from the font or the private-use code point)."""
    if g.name and g.name != "atom":
        return g.name
    return PUA_PIECES.get(ord(g.c[0]), "") if g.c else ""


def atom(
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
