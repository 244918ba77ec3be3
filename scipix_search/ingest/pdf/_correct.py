"""Text layer and OCR together: when the glyphs alone are exact, and what OCR cannot see.

The text layer knows exactly which symbols are printed, and in which font, but not always
their 2-D arrangement; the formula OCR sees the arrangement but guesses the symbols and
never sees fonts (bold vectors read as plain letters). So:

* a formula whose glyphs all map (tall delimiters and big operators rebuilt as atoms first,
  see ``_delimiters``) keeps its text-layer LaTeX;
* otherwise OCR reads it, and letters that the text layer prints only in bold at that script
  level are made bold in the OCR LaTeX.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from scipix_search.ingest.pdf._glyphs import SYMBOLS, Glyph, glyph_mapped

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
    to LaTeX (tall delimiters and big operators already rebuilt as atoms, see
    ``_delimiters``), and there is no radical. Scripts of scripts are flattened one level
    (``\\ell_\\infty`` in a subscript reads ``\\ell\\infty``), which costs less than an OCR
    reading of the whole formula: on the shared papers trusting them raised latex@0.8
    from 82.9% to 84.2%."""
    visible = [g for g in glyphs if g.c.strip()]
    if not visible:
        return False
    return all(glyph_mapped(g) and g.c != _RADICAL for g in visible)


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


_CONFUSABLE = (
    (";", ":"),
    (r"\dot", r"\hat"),
    (r"\tilde", r"\hat"),
    (r"\bar", r"\tilde"),
    (r"\dot", r"\tilde"),
)
"""(what OCR wrote, what it misread) pairs: ``;`` for ``:`` in ``c^{1:t}``, a hat read as a dot."""
_FRAC_RE = re.compile(r"\\frac\s*")


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement that inserts ``text`` as it is (its backslashes are not escapes)."""
    return lambda _match: text


def _symbols(latex: str) -> set[str]:
    return set(_TOKEN_RE.findall(latex))


def correct(ocr_latex: str, text_latex: str, *, bars: bool | None = None) -> str:
    """Correct OCR LaTeX with the text layer of the same formula.

    * letters the text layer prints only in bold are made bold (:func:`embolden`);
    * a symbol OCR wrote that the text layer never prints, where the text layer prints its
      usual confusion instead, is replaced (``;`` for ``:``, ``\\dot`` for ``\\hat``);
    * a fraction where no fraction bar is drawn is a stack of rows, as in a two-row vector:
      it becomes a matrix.

    Args:
        ocr_latex: LaTeX read by the formula OCR.
        text_latex: the text-layer LaTeX of the same formula.
        bars: whether a horizontal rule is drawn among the formula's glyphs; None: judge by
            the text layer (which rebuilds the fractions it finds as ``\\frac``).

    Returns:
        The corrected LaTeX.
    """
    latex = embolden(ocr_latex, text_latex)
    printed, read = _symbols(text_latex), _symbols(latex)
    for wrong, right in _CONFUSABLE:
        if wrong in read and wrong not in printed and right in printed:
            pattern = re.escape(wrong) + (r"(?![A-Za-z])" if wrong[-1].isalpha() else "")
            latex = re.sub(pattern, _literal(right), latex)
            read = _symbols(latex)
    no_bars = (r"\frac" not in printed and bool(text_latex)) if bars is None else not bars
    if r"\frac" in read and no_bars:
        latex = _fractions_to_stacks(latex)
    return latex


def _fractions_to_stacks(latex: str) -> str:
    r"""``\frac{a}{b}`` -> ``\begin{matrix} a \\ b \end{matrix}`` (braced arguments only)."""
    out, i = [], 0
    while True:
        m = _FRAC_RE.search(latex, i)
        if m is None:
            out.append(latex[i:])
            return "".join(out)
        first = _braced(latex, m.end())
        second = _braced(latex, first[1]) if first else None
        if first is None or second is None:
            out.append(latex[i : m.end()])
            i = m.end()
            continue
        out.append(latex[i : m.start()])
        out.append(rf"\begin{{matrix}} {first[0]} \\ {second[0]} \end{{matrix}}")
        i = second[1]


def _braced(latex: str, i: int) -> tuple[str, int] | None:
    """The content of the ``{...}`` group at ``i`` (after spaces) and the index after it."""
    while i < len(latex) and latex[i] == " ":
        i += 1
    if i >= len(latex) or latex[i] != "{":
        return None
    depth = 0
    for j in range(i, len(latex)):
        if latex[j] == "\\":
            continue
        if latex[j] == "{" and (j == 0 or latex[j - 1] != "\\"):
            depth += 1
        elif latex[j] == "}" and latex[j - 1] != "\\":
            depth -= 1
            if depth == 0:
                return latex[i + 1 : j], j + 1
    return None


_LAYOUT = (
    frozenset(
        r"{ } _ ^ \frac \left \right \\ & \, \; \: \! \quad \qquad \limits \displaystyle \big \Big "
        r"\bigg \Bigg \bigl \bigr \Bigl \Bigr \biggl \biggr ( ) [ ] | . ,".split()
    )
    | _BOLD
    | _STYLED
)
_ENV_RE = re.compile(r"\\(?:begin|end)\{[^}]*\}")
MIN_AGREEMENT = 0.6
"""OCR LaTeX whose symbols are printed on the page less often than this keeps the text layer."""


def agreement(ocr_latex: str, text_latex: str) -> float:
    """Share of the symbols in ``ocr_latex`` that the text layer prints (as a multiset).

    Layout tokens (braces, scripts, ``\\frac``, fonts, delimiters) are not counted, nor are
    unmapped glyphs of the text layer, so a correct reading scores near 1 and a reading
    that invents symbols the page does not print scores low.
    """

    def symbols(latex: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for tok in _TOKEN_RE.findall(_ENV_RE.sub(" ", latex)):
            if tok in _LAYOUT or (len(tok) == 1 and not tok.isascii()):
                continue
            out[tok] = out.get(tok, 0) + 1
        return out

    read, printed = symbols(ocr_latex), symbols(text_latex)
    total = sum(read.values())
    if not total:
        return 1.0
    return sum(min(n, printed.get(tok, 0)) for tok, n in read.items()) / total
