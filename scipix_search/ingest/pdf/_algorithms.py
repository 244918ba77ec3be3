"""Lines of an algorithm float, which hold math but are no display.

``algorithm2e`` (``ruled``) and ``algorithm`` with ``algorithmic`` set pseudocode in a float
between rules that span it (a rule over the caption, one under it, one closing the float), its
steps numbered at the left (``1:``, ``2:``, ... in ``algorithmic``, ``\\LinesNumbered`` in
``algorithm2e``) and its structure in bold keywords (**for** ... **do**, **return**,
**end**). A step dense with math (``Forecast: $\\mu_{t|t-1} = E_t \\mu_{t-1|t-1}$``) set in from
the margin reads as a display; a display has no step numbers or keywords beside its rows.
"""

from __future__ import annotations

import re

from scipix_search.ingest.pdf._families import is_bold_font
from scipix_search.ingest.pdf._glyphs import Bar
from scipix_search.ingest.pdf._lines import Line

_STEP_RE = re.compile(r"^\s*\d{1,3}:(?:\s|$)")
_KEYWORDS = frozenset(
    "for foreach while do if then else elseif end endfor endwhile endif repeat until "
    "return input output require ensure result data procedure function".split()
)


def in_algorithm(block: list[Line], lines: list[Line], rules: list[Bar]) -> bool:
    """The block is steps of an algorithm: a rule above it and one below span it (the
    float's), and at least two lines on its rows (``lines`` are the page's) are marked as
    steps: they start with a step number or with a bold keyword."""
    x0 = min(ln.bbox[0] for ln in block)
    y0 = min(ln.bbox[1] for ln in block)
    x1 = max(ln.bbox[2] for ln in block)
    y1 = max(ln.bbox[3] for ln in block)

    def spans(r: Bar) -> bool:
        return r.x0 <= x0 + 1 and r.x1 >= x1 - 1

    if not any(r.y <= y0 + 1 and spans(r) for r in rules):
        return False
    if not any(r.y >= y1 - 1 and spans(r) for r in rules):
        return False
    steps = [
        ln
        for ln in lines
        if y0 <= (ln.bbox[1] + ln.bbox[3]) / 2 <= y1 and (_step_number(ln) or _keyword(ln))
    ]
    return len(steps) >= 2


def _step_number(line: Line) -> bool:
    return bool(_STEP_RE.match(line.text))


def _keyword(line: Line) -> bool:
    """The line starts with a word in a bold font that pseudocode uses for its structure,
    after its step number where it has one (``algorithm2e`` numbers a step without a colon)."""
    glyphs = list(line.glyphs)
    while glyphs and (glyphs[0].c.isdigit() or not glyphs[0].c.strip()):
        glyphs.pop(0)
    if not glyphs or not is_bold_font(glyphs[0].font):
        return False
    # the word ends where its font does or a space opens (``for`` $t$ sets no space glyph)
    word = [glyphs[0]]
    for g in glyphs[1:]:
        if not g.c.isalpha() or g.font != word[0].font or g.x0 - word[-1].x1 > 0.15 * g.size:
            break
        word.append(g)
    return "".join(g.c for g in word).lower() in _KEYWORDS
