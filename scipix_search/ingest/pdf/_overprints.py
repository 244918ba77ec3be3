"""Glyphs a page prints again over themselves, a little offset: ``\\pmb``.

Both checks look for a copy of the same glyph within a fraction of an em; most pages have
none, so a vectorised pass first finds the groups of glyphs (same character and font) in
which two lie near enough, and the cell-by-cell search runs over those groups only.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from scipix_search.ingest.pdf._families import is_bold_font
from scipix_search.ingest.pdf._glyphs import Glyph

_OVERPRINT = 0.08
"""How far (in em) copies of one glyph may be offset and still be one glyph printed
several times over."""

_SHIFTS = ((0.0, 0.0), (0.5, 0.0), (0.0, 0.5), (0.5, 0.5))


def close_groups(
    groups: ArrayLike, x: ArrayLike, y: ArrayLike, reach: ArrayLike, *, distinct: bool = False
) -> set[int]:
    """The groups in which two items may lie within ``reach`` of each other in both
    directions (two at distinct positions when ``distinct``).

    Every group holding two items at most ``reach`` apart (each coordinate) is returned; a
    group whose items are all over twice that far apart is not; between the two, it may
    be. ``reach`` must be the same for every item of a group: it is the side of half a grid
    cell, and a pair at most half a cell apart shares a cell in at least one of the grid
    and its copies shifted by half a cell in x, y or both (in one dimension an interval
    shorter than half a cell holds at most one boundary of the grid and its shifted copy).
    """
    g = np.asarray(groups, dtype=np.int64)
    if len(g) < 2:
        return set()
    ids, inverse = np.unique(g, return_inverse=True)
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    # a little over twice the reach: a pair exactly ``reach`` apart is not split by rounding
    cell = 2.001 * np.asarray(reach, dtype=np.float64) + 1e-6
    cx = np.concatenate([np.floor(xs / cell + sx) for sx, _ in _SHIFTS])
    cy = np.concatenate([np.floor(ys / cell + sy) for _, sy in _SHIFTS])
    if not (np.isfinite(cx).all() and np.isfinite(cy).all()):
        return {int(v) for v in ids}
    cx -= cx.min()
    cy -= cy.min()
    width, height = int(cx.max()) + 1, int(cy.max()) + 1
    if len(_SHIFTS) * len(ids) * width * height >= 2**62:
        return {int(v) for v in ids}  # coordinates far out: every group is searched
    # one key a (grid, group, cell), without collisions, sorted once for the four grids
    grid = np.repeat(np.arange(len(_SHIFTS), dtype=np.int64), len(g))
    group = np.tile(inverse.reshape(-1), len(_SHIFTS))
    key = ((grid * len(ids) + group) * width + cx.astype(np.int64)) * height + cy.astype(np.int64)
    order = np.argsort(key)
    keys = key[order]
    same = keys[1:] == keys[:-1]
    if distinct:
        # within one cell of one group, some neighbour pair differs unless all positions
        # are one
        px, py = np.tile(xs, len(_SHIFTS))[order], np.tile(ys, len(_SHIFTS))[order]
        same &= (px[1:] != px[:-1]) | (py[1:] != py[:-1])
    return {int(v) for v in ids[group[order][1:][same]]}


def overprinted(trace: list[dict]) -> set[tuple[float, float]]:
    """Origins of the glyphs that the page prints again over themselves, a little offset:
    ``\\pmb`` (see :func:`without_overprints`). MuPDF's text lines keep one copy of such a
    glyph when the copies fall in one line; its text trace keeps them all."""
    fonts: dict[str, int] = {}
    font_reach: dict[str, float] = {}
    spans = [span for span in trace if _OVERPRINT * span["size"] > 0 and span["chars"]]
    for span in spans:
        reach = _OVERPRINT * span["size"]
        fonts.setdefault(span["font"], len(fonts))
        font_reach[span["font"]] = max(reach, font_reach.get(span["font"], 0.0))
    if not spans:
        return set()
    # a group is a character of a font; its cells are sized for the font's largest size
    counts = [len(span["chars"]) for span in spans]
    codes = np.fromiter((ch[0] for span in spans for ch in span["chars"]), np.int64)
    origins = np.array([ch[2] for span in spans for ch in span["chars"]], dtype=np.float64)
    font_ids = np.repeat([fonts[span["font"]] for span in spans], counts)
    groups = (font_ids << 21) | (codes & 0x1FFFFF)
    reaches = np.repeat([font_reach[span["font"]] for span in spans], counts)
    # the copies of \\pmb are offset; a glyph printed twice at one place (MuPDF's trace
    # has thousands) is no overprint here
    near = close_groups(groups, origins[:, 0], origins[:, 1], reaches, distinct=True)
    if not near:
        return set()
    cells: dict[tuple[str, int, int, int], list[tuple[float, float]]] = {}
    out: set[tuple[float, float]] = set()
    for span in spans:
        reach = _OVERPRINT * span["size"]
        base = fonts[span["font"]] << 21
        for ch in span["chars"]:
            if base | (ch[0] & 0x1FFFFF) not in near:
                continue  # no copy of it anywhere near (the groups are apart: see above)
            x, y = ch[2]
            cell = (round(x / reach), round(y / reach))
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    key = (span["font"], ch[0], cell[0] + dx, cell[1] + dy)
                    for hx, hy in cells.get(key, ()):
                        offset = abs(hx - x) + abs(hy - y)
                        if max(abs(hx - x), abs(hy - y)) <= reach and offset > 0.01 * reach:
                            out.add((round(hx, 1), round(hy, 1)))
                            out.add((round(x, 1), round(y, 1)))
            cells.setdefault((span["font"], ch[0], *cell), []).append((x, y))
    return out


def without_overprints(
    lines: list[tuple[list[Glyph], tuple[float, float, float, float]]],
) -> list[tuple[list[Glyph], tuple[float, float, float, float]]]:
    """The lines with each glyph that is printed again over itself kept once.

    ``\\pmb`` (amsbsy's "poor man's bold", for symbols that have no bold font) sets its
    argument three times, offset by fractions of a mu (0.02-0.03 em); MuPDF gives each copy
    as a line of its own, and a formula read ``\\Sigma\\Sigma\\Sigma``. Copies of the same
    character in the same font and size, nearer than ``_OVERPRINT`` em in both directions, are
    one glyph; offset copies make it bold (TeX prints no glyph twice so near: a doubled bar
    or a ``\\joinrel`` overlaps other characters, never the same one). Lines without a
    visible glyph are left out.
    """
    ids: dict[tuple[str, str, float], int] = {}
    shown = [g for glyphs, _ in lines for g in glyphs if g.c.strip()]
    groups = [ids.setdefault((g.c, g.font, g.size), len(ids)) for g in shown]
    sizes = np.array([g.size for g in shown], dtype=np.float64)
    xs = [g.x0 for g in shown]
    ys = [g.base for g in shown]
    near_ids = close_groups(groups, xs, ys, _OVERPRINT * sizes)
    if not near_ids:
        return [(glyphs, bbox) for glyphs, bbox in lines if any(g.c.strip() for g in glyphs)]
    near = {key for key, i in ids.items() if i in near_ids}
    kept: dict[tuple[str, str, float, int, int], list[Glyph]] = {}
    out: list[tuple[list[Glyph], tuple[float, float, float, float]]] = []
    for glyphs, bbox in lines:
        mine: list[Glyph] = []
        for g in glyphs:
            # fonts change below only on glyphs already seen, so a glyph's group is the
            # one it was counted in
            if not g.c.strip() or (g.c, g.font, g.size) not in near:
                mine.append(g)
                continue
            reach = _OVERPRINT * g.size
            cell = (round(g.x0 / max(reach, 0.1)), round(g.base / max(reach, 0.1)))
            twin = None
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    key = (g.c, g.font, g.size, cell[0] + dx, cell[1] + dy)
                    for h in kept.get(key, ()):
                        if abs(h.x0 - g.x0) <= reach and abs(h.base - g.base) <= reach:
                            twin = h
            if twin is None:
                kept.setdefault((g.c, g.font, g.size, *cell), []).append(g)
                mine.append(g)
                continue
            offset = abs(twin.x0 - g.x0) + abs(twin.base - g.base)
            if offset > 0.01 * g.size and not is_bold_font(twin.font):
                twin.font += "/Bold"
        if any(g.c.strip() for g in mine):
            out.append((mine, bbox))
    return out
