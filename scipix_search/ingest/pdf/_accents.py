"""Wide accents: ``\\widehat{AB}`` and ``\\widetilde{x}`` over one or more glyphs.

TeX sets a wide accent as one glyph of the extension font (``hatwide``, ``tildewider`` ...,
named by the font, with no Unicode value) centred over what it accents. Read as a glyph of
the row it is an unknown character; here it becomes, with the glyphs under it, one atom
``\\widehat{...}``, so that scripts after it attach to the whole accented group.
"""

from __future__ import annotations

from scipix_search.ingest.pdf._atoms import atom, piece_name
from scipix_search.ingest.pdf._glyphs import Glyph, glyph_mapped, glyphs_to_latex

_WIDE = {"hatwide": "widehat", "tildewide": "widetilde"}


def _wide_accent(g: Glyph) -> str | None:
    name = piece_name(g)
    return next((cmd for prefix, cmd in _WIDE.items() if name.startswith(prefix)), None)


def group_wide_accents(glyphs: list[Glyph]) -> list[Glyph]:
    """Replace each wide accent and the glyphs under it by an atom (see the module docstring).

    The accent's box from the text layer is not where its ink is (extension-font glyphs hang
    from their origin), so what it covers is decided across: the full-size glyphs whose
    centres lie within its width, on its line.
    """
    accents = [(g, cmd) for g in glyphs if (cmd := _wide_accent(g)) is not None]
    if not accents:
        return glyphs
    work = list(glyphs)
    for acc, cmd in accents:
        under = [
            g
            for g in work
            if g is not acc
            and min(g.x1, acc.x1) - max(g.x0, acc.x0) >= 0.5 * (g.x1 - g.x0)
            and g.x1 > g.x0
            and g.size >= 0.8 * acc.size
            and abs(g.base - acc.base) < 1.5 * acc.size
            and _wide_accent(g) is None
        ]
        if not under:
            continue
        inner = glyphs_to_latex(under, [])
        grouped = atom(
            f"\\{cmd}{{{inner}}}",
            min(g.x0 for g in under),
            min(g.y0 for g in under),
            max(g.x1 for g in under),
            max(g.y1 for g in under),
            max(g.size for g in under),
            complete=all(glyph_mapped(g) for g in under),
            base=max(g.base for g in under),
        )
        taken = {id(acc)} | {id(g) for g in under}
        work = [g for g in work if id(g) not in taken] + [grouped]
    return work
