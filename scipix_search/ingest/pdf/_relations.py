"""Relations TeX builds from pieces: ``\\models``, ``\\longrightarrow``, ``\\iff``, ``\\mapsto``.

Plain TeX and LaTeX have no glyph for many relations: ``\\models`` is ``|`` and ``=``,
``\\Longrightarrow`` is ``=`` and ``⇒``, ``\\longrightarrow`` a minus and ``→``, each pair
set with ``\\joinrel`` (a kern of -3 mu, about -0.17 em) so that the pieces overlap;
``\\mapsto`` puts the zero-width ``\\mapstochar`` before an arrow. Read glyph by glyph they
become ``| =`` or ``- \\rightarrow``. Pieces on one baseline that overlap as only
``\\joinrel`` sets them (text and math spacing never make glyphs overlap) are one atom here.
"""

from __future__ import annotations

from scipix_search.ingest.pdf._atoms import atom
from scipix_search.ingest.pdf._glyphs import Glyph

JOIN_GAP = -0.1
"""Gap (em) under which two relation pieces are joined: ``\\joinrel`` sets them at about
-0.17 em, while any spacing TeX puts between two symbols is positive."""

# the pieces as the text layer names them, in a canonical spelling
_PIECE = {
    "|": "|", "∣": "|", "=": "=", "−": "-", "-": "-", "→": ">", "←": "<", "⇒": "R", "⇐": "L",
    "↦": "m", "↩": "h", "↪": "H",
}  # fmt: skip
# a run of pieces (the relbars of a long arrow repeat) -> its LaTeX
_COMPOSITES = {
    "|=": "\\models",
    "=R": "\\Longrightarrow",
    "L=": "\\Longleftarrow",
    "LR": "\\Longleftrightarrow",
    "->": "\\longrightarrow",
    "<-": "\\longleftarrow",
    "<>": "\\longleftrightarrow",
    "m>": "\\mapsto",
    "m->": "\\longmapsto",
    "h>": "\\hookrightarrow",
}


def _piece(g: Glyph) -> str:
    if g.name in ("mapstochar", "mapsto") and g.c == "\ufffd":
        return "m"  # CMSY's ``mapstochar`` (``mapsto`` in some builds) has no Unicode value
    if g.name == "atom":
        return ""
    return _PIECE.get(g.c, "")


def _joined(a: Glyph, b: Glyph) -> bool:
    size = max(a.size, b.size, 1.0)
    if abs(a.base - b.base) > 0.1 * size or abs(a.size - b.size) > 0.1 * size:
        return False
    gap = (b.x0 - a.x1) / size
    # ``\\mapstochar`` has no width: the arrow starts where it stands
    limit = 0.02 if _piece(a) == "m" else JOIN_GAP
    return gap <= limit and b.x1 > a.x1


def _squeeze(key: str) -> str:
    """``--->`` -> ``->``: the repeated relbars of a long arrow are one piece."""
    out = ""
    for c in key:
        if not (out and c == out[-1] and c in "-="):
            out += c
    return out


def join_relations(glyphs: list[Glyph]) -> list[Glyph]:
    """Replace each run of ``\\joinrel``-set relation pieces by one atom (module docstring)."""
    pieces = sorted((g for g in glyphs if _piece(g)), key=lambda g: g.x0)
    if len(pieces) < 2:
        return glyphs
    taken: set[int] = set()
    atoms: list[Glyph] = []
    i = 0
    while i < len(pieces):
        run = [pieces[i]]
        while True:
            nxt = next(
                (g for g in pieces if id(g) not in taken and g is not run[-1]
                 and g not in run and _joined(run[-1], g)),
                None,
            )  # fmt: skip
            if nxt is None:
                break
            run.append(nxt)
        latex = _COMPOSITES.get(_squeeze("".join(_piece(g) for g in run)))
        if len(run) > 1 and latex is not None:
            taken |= {id(g) for g in run}
            atoms.append(
                atom(
                    latex,
                    min(g.x0 for g in run),
                    min(g.y0 for g in run),
                    max(g.x1 for g in run),
                    max(g.y1 for g in run),
                    max(g.size for g in run),
                    base=run[0].base,
                )
            )
        i += 1
        while i < len(pieces) and id(pieces[i]) in taken:
            i += 1
    if not atoms:
        return glyphs
    return [g for g in glyphs if id(g) not in taken] + atoms
