"""Big operators (``\\sum``, ``\\int``) and operator words (``min``, ``lim``) with their limits.

The text layer lists limits as small glyphs below or above the operator; they are gathered
into one atom ``\\sum_{lower}^{upper}`` before rows and scripts are read.
"""

from __future__ import annotations

from collections.abc import Sequence

from scipix_search.ingest.pdf._atoms import atom as _atom
from scipix_search.ingest.pdf._atoms import piece_name
from scipix_search.ingest.pdf._families import (
    is_extension_font,
    is_italic_font,
    is_text_italic_font,
)
from scipix_search.ingest.pdf._glyphs import Glyph, glyph_mapped, glyphs_to_latex

_OPERATORS = {
    "summation": "\\sum", "product": "\\prod", "coproduct": "\\coprod", "integral": "\\int",
    "contintegral": "\\oint", "union": "\\bigcup", "intersection": "\\bigcap",
    "circleplus": "\\bigoplus", "circlemultiply": "\\bigotimes", "circledot": "\\bigodot",
    "logicaland": "\\bigwedge", "logicalor": "\\bigvee", "unionmulti": "\\biguplus",
}  # fmt: skip
"""CMEX big operators by glyph-name prefix (tried longest first: ``unionmulti`` before ``union``)."""
_UNICODE_OPERATORS = {"∑": "\\sum", "∏": "\\prod", "∫": "\\int", "⋃": "\\bigcup", "⋂": "\\bigcap"}
_ATOM_OPERATORS = tuple(sorted(set(_OPERATORS.values())))
_OPERATOR_DEPTH = {"integraldisplay": 2.22, "integraltext": 1.11, "contintegraldisplay": 2.22}


def operator_extent(g: Glyph) -> tuple[float, float] | None:
    """Ink top and bottom of a big-operator glyph (where it is drawn, which for an
    extension-font glyph is below its baseline, not its text-layer box), or None."""
    found = _operator(g)
    return None if found is None else (found[1], found[2])


def big_operator_extent(g: Glyph) -> tuple[float, float] | None:
    """Ink top and bottom of a big operator, a glyph or the atom :func:`group_operators`
    made of it (with any limits set under and over it), or None."""
    if g.name == "atom":
        if g.c.startswith(_ATOM_OPERATORS):
            return g.y0, g.y1
        return None
    return operator_extent(g)


def _operator(g: Glyph) -> tuple[str, float, float] | None:
    """(LaTeX, ink top, ink bottom) of a big-operator glyph, or None."""
    name = piece_name(g)
    for prefix in sorted(_OPERATORS, key=len, reverse=True):
        latex = _OPERATORS[prefix]
        if name.startswith(prefix) and g.ink:  # measured: where it is drawn (``_ink``)
            return latex, g.y0, g.y1
        if name.startswith(prefix):
            depth = _OPERATOR_DEPTH.get(name, 1.4 if name.endswith("display") else 1.0)
            return latex, g.base, g.base + depth * g.size
    symbol = _UNICODE_OPERATORS.get(g.c)
    if symbol is not None and not name:
        if is_extension_font(g.font):  # hangs from its baseline, as the named ones do
            return symbol, g.base, g.base + 1.4 * g.size
        return symbol, g.base - 0.75 * g.size, g.base + 0.25 * g.size
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
    side = _side_scripts(glyphs, ops, text_size)
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
        mine = [
            g
            for g in rest
            if _nearest(g, centres, top, bottom) == centre
            and side.get(id(g), id(members[0])) == id(members[0])
        ]
        lower = _limits(mine, x0, x1, size, below=bottom, row=rest) if takes_limits else []
        upper = _limits(mine, x0, x1, size, above=top, row=rest) if takes_limits else []
        text = latex
        if lower:
            text += "_{" + _limit_latex(lower) + "}"
        if upper:
            text += "^{" + _limit_latex(upper) + "}"
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


def _side_scripts(
    glyphs: list[Glyph], ops: list[tuple[list[Glyph], str, float, float]], size: float
) -> dict[int, int]:
    """Small glyphs set at the right of a big-operator glyph, level with its ink (TeX's
    scripts of an ``\\int`` without ``\\limits``, kerned in by its slant), by ``id``, with the
    ``id`` of that operator: they are no limits of another operator (the lower limit of an
    ``aligned`` row's integral stands over the integral of the row below, off its centre by
    less than the run's width)."""
    small = sorted((g for g in glyphs if g.size <= 0.85 * size), key=lambda g: g.x0)
    found: dict[int, int] = {}
    for members, _, top, bottom in ops:
        if len(members) != 1:
            continue
        op = members[0]
        reach = op.x1
        for g in small:
            if g.x0 < op.x1 - 0.2 * size or g.x0 > reach + 0.3 * size or g is op:
                continue
            if top <= (g.y0 + g.y1) / 2 <= bottom:
                found.setdefault(id(g), id(op))
                reach = max(reach, g.x1)
    return found


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
            # "arg min" is set with a thin space between the two words; a word's letters
            # share a font (\lim\mathscr{G}: the G is no letter of the name)
            if gap < 0.35 * g.size and g.font == runs[-1][-1].font:
                runs[-1].append(g)
            else:
                runs.append([g])
        runs = [part for run in runs for part in _spaced_words(run)]
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


def _spaced_words(run: list[Glyph]) -> list[list[Glyph]]:
    """``run`` as it is, or, when it spells no operator name, cut where its letters stand a
    thin space apart (a word's letters abut; a thin space, a sixth of an em, leaves 0.11 em
    between the boxes of kpfonts' ``max`` and ``log``): TeX puts a thin space between two
    operators, and where a limit is no wider than its name (``\\max_{x}``, ``arg min``) the
    next operator name stands that close after it, closer than the gap that splits runs
    (kept wide for fonts whose boxes are narrower than their glyphs' advances)."""
    word = "".join(g.c for g in run)
    if word in _WORD_OPERATORS or len(run) < 2:
        return [run]
    parts = [[run[0]]]
    for g in run[1:]:
        if g.x0 - parts[-1][-1].x1 > 0.07 * g.size:
            parts.append([g])
        else:
            parts[-1].append(g)
    return parts


def _upright(font: str) -> bool:
    # ``\\mathit{exp}`` in the text italic is a name, not the operator
    return not is_italic_font(font) and not is_text_italic_font(font)


_WORD_OPERATORS = {
    "argmin": "\\operatorname*{arg\\,min}", "argmax": "\\operatorname*{arg\\,max}",
    "min": "\\min", "max": "\\max", "lim": "\\lim", "sup": "\\sup", "inf": "\\inf",
    "log": "\\log", "ln": "\\ln", "exp": "\\exp", "det": "\\det", "sin": "\\sin",
    "cos": "\\cos", "tan": "\\tan", "Pr": "\\Pr", "tr": "\\operatorname{tr}",
}  # fmt: skip
"""Operator words set in an upright font, as LaTeX; limits attach to the first seven."""
_LIMIT_OPERATORS = frozenset(list(_WORD_OPERATORS.values())[:7])


def _limit_latex(limit: list[Glyph]) -> str:
    """LaTeX of a limit; one of several lines (``\\substack{s \\in A \\\\ sa = 0}``, each
    line a script-size baseline of its own) is written as a ``\\substack``, since read left
    to right the lines' glyphs would interleave."""
    size = max(g.size for g in limit)
    bases: list[float] = []
    for g in sorted(limit, key=lambda g: g.base):
        if g.size >= 0.9 * size and (not bases or g.base - bases[-1] > 0.7 * size):
            bases.append(g.base)
    if len(bases) < 2:
        return glyphs_to_latex(limit, [])
    lines: list[list[Glyph]] = [[] for _ in bases]
    for g in limit:
        # a smaller glyph is a script of its line: a superscript sits above its baseline
        level = g.base if g.size >= 0.9 * size else g.base + 0.25 * size
        lines[min(range(len(bases)), key=lambda k: abs(bases[k] - level))].append(g)
    return "\\substack{" + " \\\\ ".join(glyphs_to_latex(ln, []) for ln in lines if ln) + "}"


def _limits(
    glyphs: list[Glyph],
    x0: float,
    x1: float,
    size: float,
    *,
    below: float | None = None,
    above: float | None = None,
    row: Sequence[Glyph] = (),
) -> list[Glyph]:
    """Small glyphs set under (``below``: the operator's ink bottom) or over (``above``: its
    ink top) the operator, in the run that is centred on it. A run that starts as the script
    of a larger glyph of the ``row`` set tight before it (the subscript of ``d\\mathbf{x}``
    in the row above a ``\\prod``, wider than the operator and over it) is no limit."""
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
            if any(_script_of(run[0], g) for g in row):
                continue
            return run
    return []


def _script_of(g: Glyph, base: Glyph) -> bool:
    """``g`` is set as a sub- or superscript of ``base``: smaller, tight after it (within a
    tenth of an em), its baseline off ``base``'s by a script's shift."""
    if g.size > 0.85 * base.size or base.name == "atom":
        return False
    if not -0.05 * base.size <= g.x0 - base.x1 <= 0.1 * base.size:
        return False
    shift = g.base - base.base
    return 0.05 * base.size < shift < 0.6 * base.size or 0.2 * base.size < -shift < 0.8 * base.size
