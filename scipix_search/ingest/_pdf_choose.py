"""Text layer and OCR together: when the glyphs alone are exact, and what OCR cannot see.

The text layer knows exactly which symbols are printed, and in which font, but not always
their 2-D arrangement; the formula OCR sees the arrangement but guesses the symbols and
never sees fonts (bold vectors read as plain letters). So:

* a formula whose glyphs are all mapped and whose layout the glyph rebuild handles (scripts
  one level deep, fraction bars, accents) keeps its text-layer LaTeX;
* otherwise OCR reads it, and letters that the text layer prints only in bold at that script
  level are made bold in the OCR LaTeX.
"""

from __future__ import annotations

import logging
import re

from scipix_search.ingest._pdf_glyphs import SYMBOLS, Glyph

logger = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"\\[A-Za-z]+|\\.|[{}_^]|\S")
_BOLD = frozenset({r"\boldsymbol", r"\mathbf", r"\bm", r"\pmb", r"\bf"})
_STYLED = frozenset(
    r"\mathrm \text \textrm \textit \mbox \operatorname \mathcal \mathbb \mathscr \mathfrak "
    r"\mathit \mathsf \mathtt \rm \it \cal".split()
)
_GREEK = frozenset(
    v for k, v in SYMBOLS.items() if k.isalpha() and v.startswith("\\") and v[1:].isalpha()
)
_RADICAL = "√"


def text_layer_complete(glyphs: list[Glyph]) -> bool:
    """True when the glyph rebuild of this formula can be trusted as it is: every glyph maps
    to LaTeX, and nothing needs 2-D layout beyond scripts and fraction bars (no big
    operators or delimiters from CMEX, no radicals, no scripts of scripts)."""
    visible = [g for g in glyphs if g.c.strip()]
    if not visible:
        return False
    main = max(g.size for g in visible)
    for g in visible:
        code = ord(g.c[0])
        if g.c == "\ufffd" or 0xE000 <= code <= 0xF8FF or "CMEX" in g.font.upper():
            return False
        if g.c == _RADICAL or g.size < 0.6 * main:
            return False
    return True


def _letters(latex: str) -> list[tuple[int, int, str, int, bool]]:
    """(start, end, letter, script level, styled) for each letter of ``latex``: a Latin
    letter or a Greek command; styled when inside a font or text command."""
    out = []
    stack: list[tuple[bool, bool]] = []  # per open brace: (is script, is styled)
    pending_script = pending_style = False
    for m in _TOKEN_RE.finditer(latex):
        tok = m.group()
        styled = any(st for _, st in stack)
        level = sum(1 for s, _ in stack if s)
        if tok in ("_", "^"):
            pending_script = True
            continue
        if tok in _BOLD or tok in _STYLED:
            pending_style = True
            continue
        if tok == "{":
            stack.append((pending_script, pending_style))
            pending_script = pending_style = False
            continue
        if tok == "}":
            if stack:
                stack.pop()
            continue
        if (len(tok) == 1 and tok.isascii() and tok.isalpha()) or tok in _GREEK:
            out.append((m.start(), m.end(), tok, level + pending_script, styled or pending_style))
        pending_script = pending_style = False
    return out


def bold_letters(text_latex: str) -> set[tuple[str, int]]:
    """(letter, script level) pairs that the text-layer LaTeX prints only in bold."""
    bold: dict[tuple[str, int], int] = {}
    plain: set[tuple[str, int]] = set()
    for start, _, tok, level, styled in _letters(text_latex):
        before = text_latex[max(0, start - 13) : start]
        if before.endswith("\\boldsymbol{"):
            bold[(tok, level)] = bold.get((tok, level), 0) + 1
        elif not styled:
            plain.add((tok, level))
    return {key for key in bold if key not in plain}


def embolden(ocr_latex: str, text_latex: str) -> str:
    """Make bold in ``ocr_latex`` the letters that the text layer prints only in bold.

    Args:
        ocr_latex: LaTeX read by the formula OCR.
        text_latex: the text-layer LaTeX of the same formula (``\\boldsymbol`` marks bold).

    Returns:
        ``ocr_latex`` with those letters wrapped in ``\\boldsymbol{}``, e.g. ``x = S_{+} x``
        with a text layer of bold x and S gives ``\\boldsymbol{x} = \\boldsymbol{S}_{+}
        \\boldsymbol{x}``.
    """
    bold = bold_letters(text_latex)
    if not bold:
        return ocr_latex
    out, last = [], 0
    for start, end, tok, level, styled in _letters(ocr_latex):
        if styled or (tok, level) not in bold:
            continue
        out.append(ocr_latex[last:start])
        out.append(f"\\boldsymbol{{{tok}}}")
        last = end
    out.append(ocr_latex[last:])
    return "".join(out)
