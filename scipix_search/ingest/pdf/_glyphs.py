"""Text-layer glyphs to best-effort LaTeX: unicode symbols, fonts, scripts and fractions."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pymupdf

from scipix_search.ingest.pdf._families import (
    is_blackboard_font,
    is_bold_font,
    is_calligraphic_font,
    is_extension_font,
    is_fraktur_font,
    is_italic_font,
    is_math_font,
    is_sans_font,
    is_script_font,
    is_symbol_font,
    is_text_italic_font,
)
from scipix_search.ingest.pdf._text_math import reads_as_word
from scipix_search.math import FUNCTION_NAMES

logger = logging.getLogger(__name__)

SYMBOLS = {
    "α": "\\alpha", "β": "\\beta", "γ": "\\gamma", "δ": "\\delta", "ε": "\\varepsilon",
    "ϵ": "\\epsilon", "ζ": "\\zeta", "η": "\\eta", "θ": "\\theta", "ϑ": "\\vartheta",
    "ι": "\\iota", "κ": "\\kappa", "λ": "\\lambda", "µ": "\\mu", "μ": "\\mu", "ν": "\\nu",
    "ξ": "\\xi", "π": "\\pi", "ϖ": "\\varpi", "ρ": "\\rho", "ϱ": "\\varrho", "σ": "\\sigma",
    "ς": "\\varsigma", "τ": "\\tau", "υ": "\\upsilon", "φ": "\\varphi", "ϕ": "\\phi",
    "χ": "\\chi", "ψ": "\\psi", "ω": "\\omega", "Γ": "\\Gamma", "∆": "\\Delta",
    "Δ": "\\Delta", "Θ": "\\Theta", "Λ": "\\Lambda", "Ξ": "\\Xi", "Π": "\\Pi",
    "Σ": "\\Sigma", "Υ": "\\Upsilon", "Φ": "\\Phi", "Ψ": "\\Psi", "Ω": "\\Omega",
    "−": "-", "–": "-", "\u2126": "\\Omega", "∗": "*", "×": "\\times", "·": "\\cdot", "⋅": "\\cdot", "÷": "\\div",
    "±": "\\pm", "∓": "\\mp", "≤": "\\leq", "≥": "\\geq", "≠": "\\neq", "≈": "\\approx",
    "≡": "\\equiv", "∼": "\\sim", "≃": "\\simeq", "∝": "\\propto", "≪": "\\ll", "≫": "\\gg",
    "∈": "\\in", "∉": "\\notin", "∋": "\\ni", "⊂": "\\subset", "⊆": "\\subseteq",
    "⊃": "\\supset", "⊇": "\\supseteq", "∪": "\\cup", "∩": "\\cap", "∅": "\\emptyset",
    "∞": "\\infty", "∂": "\\partial", "∇": "\\nabla", "∑": "\\sum", "∏": "\\prod",
    "∫": "\\int", "∮": "\\oint", "√": "\\sqrt", "∀": "\\forall", "∃": "\\exists",
    "¬": "\\neg", "∧": "\\wedge", "∨": "\\vee", "→": "\\rightarrow", "←": "\\leftarrow",
    "↔": "\\leftrightarrow", "⇒": "\\Rightarrow", "⇐": "\\Leftarrow", "⇔": "\\Leftrightarrow",
    "↦": "\\mapsto", "⟨": "\\langle", "⟩": "\\rangle", "〈": "\\langle", "〉": "\\rangle",
    "\u2329": "\\langle", "\u232a": "\\rangle",
    "‖": "\\|", "∥": "\\|", "⌈": "\\lceil", "⌉": "\\rceil", "⌊": "\\lfloor", "⌋": "\\rfloor",
    "…": "\\ldots", "⋯": "\\cdots", "⋮": "\\vdots", "⋱": "\\ddots", "◦": "\\circ",
    "∘": "\\circ", "⊗": "\\otimes", "⊕": "\\oplus", "†": "\\dagger", "⋆": "\\star",
    "′": "'", "\u0338": "\\not", "ℓ": "\\ell", "ℜ": "\\Re", "ℑ": "\\Im", "ℏ": "\\hbar", "∖": "\\setminus",
    "∣": "|", "⊤": "\\top", "⊥": "\\perp", "⪯": "\\preceq", "≺": "\\prec", "ı": "\\imath",
    "ℝ": "\\mathbb{R}", "ℕ": "\\mathbb{N}", "ℤ": "\\mathbb{Z}", "ℂ": "\\mathbb{C}",
    "ℚ": "\\mathbb{Q}", "{": "\\{", "}": "\\}", "ﬁ": "fi", "ﬀ": "ff", "ﬂ": "fl",
    # symbols that other math fonts (kpfonts, Euler, newtx, STIX) print as their own code
    "ħ": "\\hbar", "⩽": "\\leqslant", "⩾": "\\geqslant", "≦": "\\leqq", "≧": "\\geqq", "≲": "\\lesssim",
    "≳": "\\gtrsim", "≅": "\\cong", "≍": "\\asymp", "≐": "\\doteq", "≔": ":=",
    "≻": "\\succ", "≼": "\\preccurlyeq", "≽": "\\succcurlyeq", "⪰": "\\succeq",
    "⊊": "\\subsetneq", "⊋": "\\supsetneq", "⊏": "\\sqsubset", "⊑": "\\sqsubseteq",
    "⊓": "\\sqcap", "⊔": "\\sqcup", "⊖": "\\ominus", "⊙": "\\odot", "⊘": "\\oslash",
    "⊢": "\\vdash", "⊣": "\\dashv", "⊨": "\\models", "⋄": "\\diamond", "∠": "\\angle",
    "℘": "\\wp", "ℵ": "\\aleph", "∄": "\\nexists", "∤": "\\nmid", "∦": "\\nparallel",
    "⋉": "\\ltimes", "⋊": "\\rtimes", "⋈": "\\bowtie", "∐": "\\coprod", "∬": "\\iint",
    "∭": "\\iiint", "⨁": "\\bigoplus", "⨂": "\\bigotimes", "⨀": "\\bigodot", "⋀": "\\bigwedge",
    "⋁": "\\bigvee", "⋂": "\\bigcap", "⋃": "\\bigcup", "⟼": "\\longmapsto", "↪": "\\hookrightarrow",
    "↩": "\\hookleftarrow", "⇀": "\\rightharpoonup", "↼": "\\leftharpoonup", "⇌": "\\rightleftharpoons",
    "↑": "\\uparrow", "↓": "\\downarrow", "⇑": "\\Uparrow", "⇓": "\\Downarrow", "↕": "\\updownarrow",
    "↗": "\\nearrow", "↘": "\\searrow", "↙": "\\swarrow", "↖": "\\nwarrow", "⟶": "\\longrightarrow",
    "⟵": "\\longleftarrow", "⟹": "\\Longrightarrow", "⟸": "\\Longleftarrow", "⟺": "\\Longleftrightarrow",
    "⟷": "\\longleftrightarrow", "↠": "\\twoheadrightarrow", "⊸": "\\multimap", "▷": "\\triangleright",
    "◁": "\\triangleleft", "△": "\\triangle", "▽": "\\triangledown", "♯": "\\sharp", "♭": "\\flat",
    "∴": "\\therefore", "∵": "\\because", "⊲": "\\lhd", "⊳": "\\rhd", "⊴": "\\unlhd", "⊵": "\\unrhd",
    "∔": "\\dotplus", "⊞": "\\boxplus", "⊠": "\\boxtimes", "⟦": "\\llbracket", "⟧": "\\rrbracket", "ϰ": "\\varkappa",
    "ϴ": "\\Theta", "ð": "\\eth", "ℶ": "\\beth", "⊺": "\\intercal", "⌜": "\\ulcorner",
    "⌝": "\\urcorner", "⌞": "\\llcorner", "⌟": "\\lrcorner", "•": "\\bullet", "∙": "\\bullet",
    "□": "\\square",
    # unicode-math's own code points (XeLaTeX, LuaLaTeX): a math ``:`` is U+2236 RATIO,
    # ``\\perp`` U+27C2 PERPENDICULAR
    "∶": ":", "⟂": "\\perp",
}  # fmt: skip
# An en dash is read as a minus inside math (mathastext, newtx), but is no sign of math by
# itself: prose prints it in page and number ranges (1–10) and joined names; a bullet and a
# square open list items and close proofs.
MATH_SYMBOL_CHARS = frozenset(SYMBOLS) - {"ﬁ", "ﬀ", "ﬂ", "{", "}", "–", "•", "□"} | set("=+<>^_|")
OPERATOR_NAMES = (
    "arg min", "arg max", "argmin", "argmax", "max", "min", "sup", "inf", "lim", "log", "ln",
    "exp", "sin", "cos", "tan", "det", "diag", "rank", "tr", "Tr", "sgn", "dim", "ker", "Pr",
)  # fmt: skip
_OPERATOR_RE = re.compile(r"(?<![A-Za-z\\])(" + "|".join(OPERATOR_NAMES) + r")(?![A-Za-z])")
# a word already written as text keeps its letters: ``\text{Tr}`` is not ``\text{\Tr}``,
# and an operator atom's ``\operatorname{tr}`` or ``\operatorname*{arg\,min}`` is not
# ``\operatorname{\tr}``
_TEXT_WORD_RE = re.compile(
    r"(\\(?:text|mathsf|mathit|operatorname\*?)\{[^{}]*\})|" + _OPERATOR_RE.pattern
)


PUA_PIECES = {
    0xF8EB: "parenlefttp", 0xF8EC: "parenleftex", 0xF8ED: "parenleftbt",
    0xF8EE: "bracketlefttp", 0xF8EF: "bracketleftex", 0xF8F0: "bracketleftbt",
    0xF8F1: "bracelefttp", 0xF8F2: "braceleftmid", 0xF8F3: "braceleftbt", 0xF8F4: "braceex",
    0xF8F6: "parenrighttp", 0xF8F7: "parenrightex", 0xF8F8: "parenrightbt",
    0xF8F9: "bracketrighttp", 0xF8FA: "bracketrightex", 0xF8FB: "bracketrightbt",
    0xF8FC: "bracerighttp", 0xF8FD: "bracerightmid", 0xF8FE: "bracerightbt",
}  # fmt: skip
"""Symbol-font pieces of tall delimiters (Adobe's private-use code points), by glyph name.
U+F8F5 between them is ``integralex``, an integral's extension: it builds no delimiter."""
_PUA_MATH_PIECES = frozenset(PUA_PIECES) | {0xF8F5}
"""The pieces above and ``integralex``: math in any font (:attr:`Glyph.is_math`)."""

_GREEK = frozenset("αβγδεϵζηθϑικλµμνξπϖρϱσςτυφϕχψωΓ∆ΔΘΛΞΠΣΥΦΨΩ")
_BOLD_ORDINARY = _GREEK | frozenset("\u2126∇∂∞ℓℏ∅")
"""Symbols that a bold font (``CMBSY10``, ``CMMIB10``, a font's ``-Bold``) or an overprint
(``\\pmb``, ``bm``'s poor man's bold) prints bold only where the source asked for it:
Greek and the ordinary symbols that stand for a quantity or an operator on one
(``\\boldsymbol{\\nabla}``, ``\\boldsymbol{\\partial}``). Relations, binary operators and
brackets of a bold font come from ``\\boldmath`` around a whole formula, and stay plain."""


@dataclass(slots=True)
class Glyph:
    """One character of the text layer, in page coordinates."""

    c: str
    x0: float
    y0: float
    x1: float
    y1: float
    base: float  # baseline y
    size: float
    font: str
    name: str = ""
    """The font's glyph name where the text layer has no Unicode value (``bracketleftbigg``),
    or ``"atom"`` for a group already rebuilt as LaTeX (``c``): a delimited matrix."""
    ink: bool = False
    """``y0``/``y1`` are the drawn outline, not the font's ascent and descent: a tall
    delimiter or big operator that has a Unicode value, named after its CMEX twin (``_ink``)."""
    outline: tuple[float, float, float, float] | None = None
    """x0, y0, x1, y1 of the glyph as drawn (MuPDF's ``TEXT_ACCURATE_BBOXES``), where the
    page's reading measured it: the box of the ink, where ``y0``/``y1`` are mostly the font's
    ascent and descent (CMSY10's reach 0.8 em under the baseline). Only a region's outline
    (``ink_box``) reads it; the row logic keeps the font boxes TeX's spacing follows."""
    text_math: bool = False
    """An upright text-font glyph of a page whose formulas take their Latin letters from the
    text font (mathastext; ``_text_math``): tight letters of it in a formula are variables
    unless they read as a word."""

    @property
    def is_math(self) -> bool:
        # a piece of a tall delimiter at Adobe's private-use code points is math in any font,
        # as CMEX's pieces are: the JMN fonts draw them from ``Iwona-Regular``, a text font
        return (
            is_math_font(self.font)
            or self.c in MATH_SYMBOL_CHARS
            or (self.c[:1] != "" and ord(self.c[0]) in _PUA_MATH_PIECES)
        )


@dataclass(slots=True)
class Bar:
    """A horizontal rule drawn on the page (a candidate fraction bar)."""

    x0: float
    x1: float
    y: float


BODY_ROLE = "/BODY"
"""Font-role suffix of the page's prose font where that is an upright sans (``_lines``): its
letters in math are ``\\text``, not ``\\mathsf``."""
BITMAP_ROLE = "/BITMAP"
"""Font-role suffix of a glyph of an anonymous bitmap font (``_fonts``) that is not a letter:
its code is known, its character is not, so its formula is read by the OCR."""


def glyph_mapped(g: Glyph) -> bool:
    """The glyph has LaTeX: not U+FFFD, a private-use piece or an extension-font glyph (those
    become atoms first), and an atom only when everything it encloses mapped.

    A character that math never prints as itself (``⌧`` U+2327 for a ``τ``, ``“`` for an
    ``=``) means the font's ToUnicode map lies: the glyph is not trusted, so the formula
    goes to the OCR instead of keeping a wrong symbol.
    """
    if g.name == "atom":
        return not g.font.endswith("-partial")
    c = g.c
    code = ord(c[0]) if c else 0
    if c == "\ufffd" or 0xE000 <= code <= 0xF8FF or is_extension_font(g.font):
        return False
    if BITMAP_ROLE in g.font:
        return False
    return char_mapped(c)


def char_mapped(c: str) -> bool:
    """The character has LaTeX: printable ASCII, a letter or digit, a known math symbol, an
    accent or a prime (not U+FFFD, not a private-use code, not a character math never prints
    as itself)."""
    if c == "\ufffd" or (c and 0xE000 <= ord(c[0]) <= 0xF8FF):
        return False
    return (c.isascii() and c.isprintable()) or c.isalnum() or c in SYMBOLS or c in _KNOWN


def bars_among(glyphs: list[Glyph], bars: list[Bar]) -> list[Bar]:
    """The rules of ``bars`` that lie within the box of ``glyphs`` (a little margin)."""
    if not glyphs:
        return []
    x0, x1 = min(g.x0 for g in glyphs), max(g.x1 for g in glyphs)
    y0, y1 = min(g.y0 for g in glyphs), max(g.y1 for g in glyphs)
    return [b for b in bars if x0 - 3 <= b.x0 and b.x1 <= x1 + 3 and y0 - 1 <= b.y <= y1 + 1]


def ink_box(glyphs: list[Glyph], bars: list[Bar]) -> tuple[float, float, float, float]:
    """The box of what ``glyphs`` draw: the union of their outlines (their font boxes where
    no outline was measured) and of the rules of ``bars`` among them (fraction bars, a
    radical's vinculum), a rule taken as 0.4 pt thick. A display region is this box: the
    line boxes around it reach a font's ascent and descent past the ink (up to 10 pt for
    CMSY10 at 12 pt), so a page highlighting the region, and a scan detector matched
    against it, saw a box taller than the equation."""
    boxes = [
        g.outline if g.outline is not None else (g.x0, g.y0, g.x1, g.y1)
        for g in glyphs
        if g.c.strip()
    ]
    boxes += [(b.x0, b.y - 0.2, b.x1, b.y + 0.2) for b in bars_among(glyphs, bars)]
    if not boxes:
        return (0.0, 0.0, 0.0, 0.0)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def glyph_to_latex(g: Glyph) -> str:
    """LaTeX for one glyph, using its font for bold, blackboard, calligraphic and script."""
    c = g.c
    if g.name == "atom":
        return c
    font = g.font
    sym = SYMBOLS.get(c)
    if sym is not None:
        if c in _BOLD_ORDINARY and is_bold_font(font):
            return f"\\boldsymbol{{{sym}}}"  # \boldsymbol{\Phi} is set in CMBX/CMMIB
        return sym
    if c.isdigit() and c.isascii() and is_bold_font(font):
        return f"\\boldsymbol{{{c}}}"  # \mathbf{0}, {\bf 1}: the zero vector, the ones
    if c.isalpha() and c.isascii():
        if is_blackboard_font(font):
            return f"\\mathbb{{{c}}}"
        if is_script_font(font):
            return f"\\mathscr{{{c}}}"
        if is_fraktur_font(font):
            return f"\\mathfrak{{{c}}}"
        # a Unicode sans-serif alphanumeric (see _unicode_math), or a letter of an upright
        # sans font: ``\mathsf`` is upright, so a slanted sans letter is the math italic of a
        # sans math setup (arev's ``ArevSans-Oblique``), a plain variable
        if "/SANS" in font or (
            is_sans_font(font) and not is_italic_font(font) and BODY_ROLE not in font
        ):
            return f"\\mathsf{{{c}}}"
        if "/MONO" in font:
            return f"\\mathtt{{{c}}}"
        if (is_symbol_font(font) or is_calligraphic_font(font)) and c.isupper():
            return f"\\mathcal{{{c}}}"
        if is_bold_font(font):
            return f"\\boldsymbol{{{c}}}"
    if c in "\\":
        return "\\backslash"
    return c


def glyphs_to_latex(glyphs: list[Glyph], bars: list[Bar]) -> str:
    """Rebuild LaTeX for one visual row of a formula.

    Fractions come from ``bars``: glyphs above a bar (within its width) form the numerator,
    those below the denominator. Scripts come from size and baseline offsets against the
    row's main baseline. Words in roman fonts that name operators become ``\\max`` etc.
    """
    glyphs = _read_hbars([g for g in glyphs if g.c.strip()])
    _read_bottoms(glyphs)
    accents, taken = _accents(glyphs)
    return _row_latex([g for g in glyphs if id(g) not in taken], bars, accents)


_BOT_NEIGHBOURS = frozenset("=<>≤≥≠≈≡∼≃∝∈∉∋⊂⊆⊃⊇→←↦⇒⇔≪≫⩽⩾≅≔:⊢⊨⊣([{⟨,;)]}⟩|")
"""Relations, punctuation and brackets: TeX puts no thick space between these and a
relation, so a ``⊥`` set against one with a thick space is no relation."""


def _read_hbars(glyphs: list[Glyph]) -> list[Glyph]:
    """Tell ``\\hbar`` from ``\\bar{h}``: plain TeX and LaTeX without amssymb define
    ``\\hbar`` as ``{\\mathchar'26\\mkern-9mu h}``, the roman macron set on the ``h``'s own
    baseline and kerned back over its ascender, while ``\\bar{h}`` raises the accent by the
    ``h``'s height less the x-height (a quarter em). A macron on an ``h``'s baseline, its
    centre over the ``h``, is the ``ℏ`` it prints (rewritten in place, the macron dropped)."""
    bars = [g for g in glyphs if ACCENTS.get(g.c) == "bar"]
    if not bars:
        return glyphs
    taken: set[int] = set()
    for g in glyphs:
        if g.c != "h":
            continue
        for acc in bars:
            if (
                id(acc) not in taken
                and abs(acc.base - g.base) < 0.08 * g.size
                and g.x0 - 0.5 <= (acc.x0 + acc.x1) / 2 <= g.x1
            ):
                taken.add(id(acc))
                g.c = "ℏ"
                break
    return [g for g in glyphs if id(g) not in taken]


def _read_bottoms(glyphs: list[Glyph]) -> None:
    """Tell ``\\bot`` from ``\\perp``: TeX prints both with one glyph, but ``\\perp`` is a
    relation, set with a thick space (5 mu, 0.28 em) on each side, while ``\\bot`` is an
    ordinary symbol (``\\top \\vdash \\bot``, ``(\\bot)``, ``\\bot^\\nabla``). A ``⊥`` of
    the main size with less than 0.15 em beside it, or next to a relation, punctuation or a
    bracket, or first in the row, is ``\\bot`` (rewritten in place as an atom); a smaller one
    is left a ``\\perp`` (scripts get no such spaces, and ``V^\\perp`` is the common one)."""
    if not any(g.c == "⊥" for g in glyphs):
        return
    main = max(g.size for g in glyphs)
    for g in glyphs:
        if g.c != "⊥" or g.name == "atom" or g.size < 0.85 * main:
            continue
        line = [h for h in glyphs if h is not g and abs(h.base - g.base) < 0.3 * g.size]
        before = max((h for h in line if h.x1 <= g.x0 + 0.5), key=lambda h: h.x1, default=None)
        after = min((h for h in line if h.x0 >= g.x1 - 0.5), key=lambda h: h.x0, default=None)
        thick = 0.15 * g.size
        bot = (
            before is None
            or before.c in _BOT_NEIGHBOURS
            or g.x0 - before.x1 < thick
            or (after is not None and (after.c in _BOT_NEIGHBOURS or after.x0 - g.x1 < thick))
        )
        if bot:
            g.c, g.name = "\\bot", "atom"


def _row_latex(
    glyphs: list[Glyph], bars: list[Bar], accents: dict[int, list[str]], *, in_script: bool = False
) -> str:
    """:func:`glyphs_to_latex` once accents are matched; scripts are read recursively, so a
    script of a script (``\\mu_{d-p}`` in a superscript) keeps its own level. In a script
    (``in_script``) whose glyphs all have one size, a glyph a quarter em over the run's
    baseline, or an eighth of one under it, is a script of its own: under a script-size base
    (a ``\\textstyle`` fraction) a subscript and its subscript are both in TeX's smallest
    size (``\\mathcal{A}_{j_1}``)."""
    if not glyphs:
        return ""
    items: list[tuple[float, str, Glyph | None]] = []
    used: set[int] = set()
    nested: set[int] = set()  # bars read inside a wider fraction's numerator or denominator
    size = max(g.size for g in glyphs)
    level = _row_level(glyphs, bars)
    # fractions set as a script (``e^{\\frac{x}{2}}``, ``I_{\\frac{1}{2}}``): their glyphs
    # are read with the scripts, each fraction's bar going with its glyphs
    frac_kind: dict[int, str] = {}
    script_bars: list[tuple[Bar, set[int]]] = []
    for bar in sorted(bars, key=lambda b: b.x1 - b.x0, reverse=True):
        if id(bar) in nested:
            continue
        num = [
            g
            for i, g in enumerate(glyphs)
            if i not in used and _within(g, bar, size) and g.base <= bar.y + 0.5
        ]
        den = [
            g
            for i, g in enumerate(glyphs)
            if i not in used and _within(g, bar, size) and g.base - 0.7 * g.size >= bar.y - 1.5
        ]
        if not num and _overline(bar, den):
            used |= {i for i, g in enumerate(glyphs) if any(g is h for h in den)}
            items.append((bar.x0, f"\\overline{{{_row_latex(den, [], accents)}}}", None))
            continue
        if not num or not den:
            continue
        ids = {id(g) for g in num + den}
        kind = _script_fraction(bar, num + den, level)
        if kind and not ids & frac_kind.keys():
            frac_kind.update(dict.fromkeys(ids, kind))
            script_bars.append((bar, ids))
            nested |= {id(b) for b in _bars_inside(bar, bars, num) + _bars_inside(bar, bars, den)}
            continue
        used |= {i for i, g in enumerate(glyphs) if id(g) in ids}
        # a fraction in a numerator or denominator (``\\frac{d\\rho}{\\frac{-\\Gamma}{b}}``):
        # its bar lies among that part's glyphs, and is read there
        num_bars, den_bars = _bars_inside(bar, bars, num), _bars_inside(bar, bars, den)
        nested |= {id(b) for b in num_bars + den_bars}
        latex = (
            f"\\frac{{{_row_latex(num, num_bars, accents)}}}"
            f"{{{_row_latex(den, den_bars, accents)}}}"
        )
        items.append((bar.x0, latex, None))
    rest = [g for i, g in enumerate(glyphs) if i not in used]
    if not rest:
        return " ".join(t for _, t, _ in sorted(items, key=lambda it: it[0]))
    # a \left( or \big( keeps its size in a script-size fraction (``\textstyle``): it
    # must not make the letters beside it look like scripts
    sized = [g for g in rest if g.c not in _SIZED_DELIMITERS] or rest
    main_size = max(g.size for g in sized)
    main = [g for g in sized if g.size >= main_size * 0.9]
    base = median([g.base for g in main])
    one_size = in_script and max(g.size for g in rest) <= 1.03 * min(g.size for g in rest)
    if one_size:
        # the baseline most of the run sits on, of a tie the first glyph's: with its own
        # script beside it (``i_k`` at the smallest size) the median lies between the two
        ordered = sorted(rest, key=lambda g: g.x0)
        base = max(
            ordered, key=lambda g: sum(abs(h.base - g.base) < 0.1 * main_size for h in rest)
        ).base
    items.extend((g.x0, "", g) for g in rest)
    items.sort(key=lambda it: it[0])
    items = _text_words(items, main_size)
    out: list[str] = []
    # the scripts after one base, by kind: TeX sets ``C^a_{bc}`` with the sub- and
    # superscript side by side, so read left to right their glyphs alternate
    scripts: dict[str, list[Glyph]] = {}
    last_kind = ""
    for _, latex, g in items:
        kind = ""
        if g is not None and id(g) in frac_kind:
            kind = frac_kind[id(g)]
        elif (
            one_size
            and g is not None
            and (g.base - base > 0.12 * main_size or base - g.base > 0.25 * main_size)
        ):
            # TeX lowers a subscript by at least its font's sub1 (0.15 em): a short letter
            # (``j_m``) gets no more, a digit or a tall letter more (``j_1``, ``j_\ell``)
            kind = "^" if g.base < base else "_"
        elif g is not None and g.size < main_size * 0.85:
            shift = g.base - base
            script = scripts.get(last_kind, [])
            if shift < -0.12 * main_size:
                kind = "^"
            elif shift > 0.08 * main_size:
                kind = "_"
            elif script and _continues(g, script, main_size):
                # a superscript of a subscript (``|_{x^0}``) can sit on the main baseline:
                # small and set against the script run, it belongs to that script
                kind = last_kind
        last_kind = kind
        if kind and g is not None:
            scripts.setdefault(kind, []).append(g)
            continue
        out.extend(_script(k, run, accents, script_bars) for k, run in scripts.items())
        scripts = {}
        text = latex if g is None else glyph_to_latex(g)
        if g is not None and id(g) in accents:
            for name in accents[id(g)]:
                text = f"\\{name}{{{text}}}"
        out.append(text)
    out.extend(_script(k, run, accents, script_bars) for k, run in scripts.items())
    return _join(out)


_SIZED_DELIMITERS = frozenset("()[]{}|‖⟨⟩")


def _bars_inside(bar: Bar, bars: list[Bar], part: list[Glyph]) -> list[Bar]:
    """The narrower bars under ``bar``'s span that lie among the glyphs of ``part`` (the
    numerator or denominator of its fraction), off ``bar``'s own height."""
    if not part:
        return []
    top, bottom = min(g.y0 for g in part), max(g.y1 for g in part)
    return [
        b
        for b in bars
        if b is not bar
        and b.x1 - b.x0 < bar.x1 - bar.x0
        and bar.x0 - 1 <= b.x0
        and b.x1 <= bar.x1 + 1
        and top < b.y < bottom
        and abs(b.y - bar.y) > 1.0
    ]


def _script(
    kind: str,
    run: list[Glyph],
    accents: dict[int, list[str]],
    script_bars: Sequence[tuple[Bar, set[int]]] = (),
) -> str:
    """``^{...}`` or ``_{...}``; raised primes alone are written ``'`` as TeX reads them
    (``x'`` is ``x^{\\prime}``, while ``x^{'}`` would be a prime on an empty base). The bars
    of fractions set in the script (``script_bars``: each with its glyphs) go with it."""
    if kind == "^" and all(g.c in "′'" for g in run):
        return "'" * len(run)
    ids = {id(g) for g in run}
    bars = [bar for bar, glyphs in script_bars if glyphs <= ids]
    if bars:
        return f"{kind}{{{_row_latex(run, bars, accents)}}}"
    return f"{kind}{{{_row_latex(run, [], accents, in_script=True)}}}"


def _row_level(glyphs: list[Glyph], bars: list[Bar]) -> tuple[float, float] | None:
    """The baseline and size of a row's own glyphs (the largest, off every bar's span): what a
    fraction's bar is measured against to tell a script fraction from one on the row."""
    spans = [(b.x0, b.x1) for b in bars]
    free = [g for g in glyphs if not any(x0 - 1 <= (g.x0 + g.x1) / 2 <= x1 + 1 for x0, x1 in spans)]
    if not free:
        return None
    size = max(g.size for g in free)
    return median([g.base for g in free if g.size >= 0.9 * size]), size


def _script_fraction(bar: Bar, parts: list[Glyph], level: tuple[float, float] | None) -> str:
    """``^`` or ``_`` for a fraction set as a script, else ``""``. TeX sets a fraction's bar on
    the math axis of its style, a quarter em over its baseline; a fraction in a script is in
    script size, and its bar lies on the script's axis: half an em or more over the row's
    baseline in a superscript, at about the baseline in a subscript. A ``\\tfrac`` on the row
    is in script size too, but its bar is on the row's own axis."""
    if level is None:
        return ""
    base, size = level
    if max(g.size for g in parts) >= 0.85 * size:
        return ""
    if bar.y < base - 0.45 * size:
        return "^"
    if bar.y > base - 0.08 * size:
        return "_"
    return ""


ACCENTS = {
    "ˆ": "hat",
    "˜": "tilde",
    "¯": "bar",
    "˙": "dot",
    "¨": "ddot",
    "ˇ": "check",
    "˘": "breve",
    "´": "acute",
    "`": "grave",
    "˚": "mathring",
    "⃗": "vec",
    # the combining forms, which some fonts' ToUnicode maps give instead
    "\u0300": "grave",
    "\u0301": "acute",
    "\u0302": "hat",
    "\u0303": "tilde",
    "\u0304": "bar",
    "\u0305": "bar",
    "\u0306": "breve",
    "\u0307": "dot",
    "\u0308": "ddot",
    "\u030a": "mathring",
    "\u030c": "check",
}
"""Accent characters that TeX prints as separate glyphs above a letter."""


def accent_over(acc: Glyph, g: Glyph) -> bool:
    """``acc`` stands over ``g``: its centre lies on ``g``. A zero-width accent (CMMI's
    vector arrow) is set at its origin, kerned before the letter it stands over: that letter
    is the next one to the right, or, in a small script size where the kern is larger than
    the letter's left side, the one whose left part it stands in."""
    if acc.x1 - acc.x0 < 0.05 * acc.size:
        left_part = g.x0 + 0.75 * (g.x1 - g.x0)
        return acc.x0 - 0.5 <= g.x0 <= acc.x0 + 0.5 * acc.size or g.x0 < acc.x0 < left_part
    return g.x0 - 0.5 <= (acc.x0 + acc.x1) / 2 <= g.x1 + 0.5


def _accents(glyphs: list[Glyph]) -> tuple[dict[int, list[str]], set[int]]:
    """Accent glyphs matched to the letter under them, innermost first:
    ``({id(letter): ["hat"]}, {id(accent)})``.

    TeX stacks accents (``\\tilde{\\hat{H}}``) each over the box of the one below, at the
    same horizontal centre: read from the lowest up, an accent over a letter that already
    has one below it wraps that one (``["hat", "tilde"]`` reads ``\\tilde{\\hat{H}}``).
    """
    accented: dict[int, list[str]] = {}
    top: dict[int, Glyph] = {}  # the highest accent matched to a letter so far
    used: set[int] = set()
    letters = [g for g in glyphs if g.c not in ACCENTS]
    for acc in sorted((g for g in glyphs if g.c in ACCENTS), key=lambda g: -g.base):
        cx = (acc.x0 + acc.x1) / 2
        under = [
            g
            for g in letters
            if accent_over(acc, g) and (id(g) not in accented or _stacked(acc, top[id(g)]))
        ]
        if under:
            base = min(under, key=lambda g: abs((g.x0 + g.x1) / 2 - cx))
            accented.setdefault(id(base), []).append(ACCENTS[acc.c])
            top[id(base)] = acc
            used.add(id(acc))
    return accented, used


def _stacked(acc: Glyph, below: Glyph) -> bool:
    """``acc`` is set over the accent ``below``: centred on it and higher."""
    cx = (acc.x0 + acc.x1) / 2
    return below.x0 - 0.5 <= cx <= below.x1 + 0.5 and acc.base < below.base - 0.05 * acc.size


def _join(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if text and re.search(r"\\[A-Za-z]+$", text) and part[:1].isalpha():
            text += " "
        text += part
    return (
        _TEXT_WORD_RE.sub(lambda m: m.group(1) or "\\" + m.group(2), text)
        .replace("\\arg min", "\\arg\\min")
        .replace("\\arg max", "\\arg\\max")
        # TeX prints \ldots and \cdots as three dots
        .replace("\\cdot\\cdot\\cdot", "\\cdots")
        .replace("...", "\\ldots ")
    )


def _upright_letter(g: Glyph | None, size: float) -> bool:
    return (
        g is not None
        and g.name != "atom"
        and g.c.isascii()
        and g.c.isalpha()
        and g.size >= 0.85 * size
        and not is_math_font(g.font)
        and not is_italic_font(g.font)
        and not is_bold_font(g.font)
        # a Unicode math alphanumeric's style (see _unicode_math)
        and "/" not in g.font.replace(BODY_ROLE, "")
    )


def _text_words(
    items: list[tuple[float, str, Glyph | None]], size: float
) -> list[tuple[float, str, Glyph | None]]:
    """Words of upright text-font letters set tight in a formula (``if``, ``otherwise``,
    ``\\mathrm{ref}``, ``\\operatorname{diag}``) as one ``\\text{...}`` item, TeX's named
    functions as their command (``\\max``)."""
    out: list[tuple[float, str, Glyph | None]] = []
    i = 0
    while i < len(items):
        j = i
        while j < len(items) and (j == i or _tight(items[j - 1][2], items[j][2])):
            if not _upright_letter(items[j][2], size) and (
                j == i or not _abbreviation_point(items, i, j, size)
            ):
                break
            j += 1
        word = "".join(
            (" " if k > i and not _tight(items[k - 1][2], g, 0.15) else "") + g.c
            for k, (_, _, g) in enumerate(items[i:j], start=i)
            if g is not None
        )
        if j - i < 2:
            out.append(items[i])
            i += 1
            continue
        if " " not in word and all(
            g is not None and is_text_italic_font(g.font) for _, _, g in items[i:j]
        ):
            # a name in the text italic is ``\mathit`` (``\mathit{map}``, ``\mathit{exp}``):
            # TeX's named functions and ``\text`` words are upright
            out.append((items[i][0], f"\\mathit{{{word}}}", None))
        elif word in FUNCTION_NAMES:  # TeX's named functions (\arg, \deg ...)
            out.append((items[i][0], f"\\{word}", None))
        elif (
            not reads_as_word(word)
            and word not in OPERATOR_NAMES
            and all(g is not None and g.text_math for _, _, g in items[i:j])
        ):
            # the text font's letters are the math letters of this page: ``xy``, ``dt``
            out.extend(items[i:j])
        elif (
            " " in word
            and all(g is not None and g.text_math for _, _, g in items[i:j])
            and (phrase := _phrase_variables(items[i:j])) is not None
        ):
            out.extend(phrase)
        elif all(
            g is not None and is_sans_font(g.font) and BODY_ROLE not in g.font
            for _, _, g in items[i:j]
        ):
            # a word of the sans text font is ``\mathsf`` (prose in formulas is set serif)
            out.append((items[i][0], f"\\mathsf{{{word}}}", None))
        else:
            out.append((items[i][0], f"\\text{{{word}}}", None))
        i = j
    return out


def _phrase_variables(
    items: list[tuple[float, str, Glyph | None]],
) -> list[tuple[float, str, Glyph | None]] | None:
    """A spaced phrase of upright text-font letters on a page whose math letters are that
    font's (``Glyph.text_math``): its words are ``\\text``, but a lone letter among them is
    a variable (``\\text{for each $x$}``, ``\\text{$f$ is nilpotent}`` print ``for each x``
    and ``f is nilpotent`` in one font). English has one-letter words, ``a``, ``A`` and
    ``I``, and never ends a phrase with one: there they are variables too. None where the
    phrase holds no lone letter."""
    tokens: list[list[tuple[float, str, Glyph | None]]] = []
    for k, item in enumerate(items):
        if k == 0 or not _tight(items[k - 1][2], item[2], 0.15):
            tokens.append([])
        tokens[-1].append(item)
    out: list[tuple[float, str, Glyph | None]] = []
    words: list[list[tuple[float, str, Glyph | None]]] = []
    lone = False

    def flush() -> None:
        if words:
            text = " ".join("".join(g.c for _, _, g in w if g is not None) for w in words)
            out.append((words[0][0][0], f"\\text{{{text}}}", None))
            words.clear()

    for n, token in enumerate(tokens):
        c = token[0][2].c if len(token) == 1 and token[0][2] is not None else ""
        if c.isalpha() and (c not in "aAI" or n == len(tokens) - 1):
            flush()
            out.append(token[0])
            lone = True
        else:
            words.append(token)
    flush()
    return out if lone else None


def _abbreviation_point(
    items: list[tuple[float, str, Glyph | None]], i: int, j: int, size: float
) -> bool:
    """``items[j]`` is a point of an abbreviation (``s.t.``, ``w.r.t.``, ``i.e.``) in the
    upright word that starts at ``items[i]``: a text-font point between two letters, or
    after the last letter of a word that already holds one. (TeX takes a point in math from
    the math italic, so a formula's own full stop is another font in Computer Modern.)"""
    g = items[j][2]
    if g is None or g.c != "." or not _upright_letter(items[j - 1][2], size):
        return False
    nxt = items[j + 1][2] if j + 1 < len(items) else None
    inner = _upright_letter(nxt, size) and _tight(g, nxt, 0.15)
    return inner or any(h is not None and h.c == "." for _, _, h in items[i:j])


def _tight(a: Glyph | None, b: Glyph | None, space: float = 0.6) -> bool:
    """``b`` follows ``a`` in the same font within ``space`` em: the same word, or with
    the default a word space, the next word of the same text (``\\text{for each}``)."""
    return a is not None and b is not None and b.x0 - a.x1 < space * b.size and a.font == b.font


def _continues(g: Glyph, script: list[Glyph], main_size: float) -> bool:
    return (
        g.size <= 1.05 * max(h.size for h in script)
        and g.x0 - max(h.x1 for h in script) < 0.3 * main_size
    )


def _overline(bar: Bar, under: list[Glyph]) -> bool:
    """A rule over glyphs with nothing over it is ``\\overline``: it spans them end to end and
    sits just above their tops (a fraction bar has a numerator; a table rule is further off)."""
    if not under:
        return False
    size = max(g.size for g in under)
    return (
        bar.x0 <= min(g.x0 for g in under) + 0.3 * size
        and bar.x1 >= max(g.x1 for g in under) - 0.3 * size
        and all(0.4 * size <= g.base - bar.y <= 1.3 * size for g in under)
    )


def _within(g: Glyph, bar: Bar, size: float) -> bool:
    """``g`` stands over or under ``bar``, near enough to be in its fraction: within 2.2 em
    of its own size, or of most of the row's (``size``): the subscript of a denominator's
    denominator is small and far down (``\\frac{a}{\\frac{b}{c_1}}``)."""
    cx = (g.x0 + g.x1) / 2
    height = 2.2 * max(g.size, 0.7 * size)
    return bar.x0 - 1 <= cx <= bar.x1 + 1 and abs((g.y0 + g.y1) / 2 - bar.y) < height


def median(values: list[float]) -> float:
    """The upper median (an actual value of the list, no averaging)."""
    values = sorted(values)
    return values[len(values) // 2]


class Drawings:
    """The page's vector paths: short horizontal rules (fraction bars), the shapes of
    diagrams (boxes, circles, arrows: paths that are not thin rules), and a coarse density
    grid of everything else, where a dense cell is part of a plot or diagram."""

    CELL = 12.0
    SHAPE_MARGIN = 8.0
    """Shapes this close to a text line (in points) count as its neighbours."""

    def __init__(self, page: pymupdf.Page) -> None:
        self.bars: list[Bar] = []
        self.rules: list[Bar] = []  # every thin horizontal rule, of any length (table rules)
        self.shapes: list[tuple[float, float, float, float]] = []
        self._shape_array: np.ndarray | None = None
        self.density: dict[tuple[int, int], int] = {}
        self.images = [pymupdf.Rect(info["bbox"]) for info in page.get_image_info()]
        self._rects: list[tuple[float, float, float, float]] = []
        self._rect_array: np.ndarray | None = None
        for path in page.get_cdrawings():
            x0, y0, x1, y1 = path["rect"]
            self._rects.append((x0, y0, x1, y1))
            if y1 - y0 <= 1.5 and x1 - x0 >= 3:
                self.rules.append(Bar(x0, x1, (y0 + y1) / 2))
            if y1 - y0 <= 1.5 and 2 <= x1 - x0 <= 400:
                self.bars.append(Bar(x0, x1, (y0 + y1) / 2))
                continue
            if min(x1 - x0, y1 - y0) > 1.5:
                # TeX typesets display math with glyphs and thin rules only (fraction bars,
                # radical vincula, array rules); a box, circle or slanted arrow is a drawing
                self.shapes.append((x0, y0, x1, y1))
            key = (int((x0 + x1) / 2 / self.CELL), int((y0 + y1) / 2 / self.CELL))
            self.density[key] = self.density.get(key, 0) + 1

    def drawn_frames(
        self, bbox: tuple[float, float, float, float], least: int = 12
    ) -> list[tuple[float, float, float, float]]:
        """Shapes that enclose ``bbox`` and hold ``least`` or more other paths: the patch
        or the axes of a plot (its curves, ticks and bars inside), not a frame around text
        (a boxed theorem holds glyphs and rules, a few paths at most)."""
        x0, y0, x1, y1 = bbox
        around = [s for s in self.shapes if s[0] <= x0 and s[1] <= y0 and s[2] >= x1 and s[3] >= y1]
        if not around:
            return []
        if self._rect_array is None:
            self._rect_array = np.array(self._rects, dtype=np.float64)
        rx0, ry0, rx1, ry1 = self._rect_array.T
        frames = []
        for s in around:
            inside = (rx0 >= s[0]) & (ry0 >= s[1]) & (rx1 <= s[2]) & (ry1 <= s[3])
            if int(np.count_nonzero(inside)) - 1 >= least:  # less the shape itself
                frames.append(s)
        return frames

    def is_figure(self, bbox: tuple[float, float, float, float]) -> bool:
        """True when ``bbox`` lies on an image, among dense paths (a plot), or next to two
        or more drawn shapes (labels of a diagram: boxes, nodes, arrows)."""
        x0, y0, x1, y1 = bbox
        for mask in self.images:
            # MuPDF's intersection only where the two overlap (else its area is 0): a
            # Rect operation costs microseconds, and a page of figures has many images
            if mask.x0 < x1 and x0 < mask.x1 and mask.y0 < y1 and y0 < mask.y1:
                rect = pymupdf.Rect(bbox)
                if (mask & rect).get_area() > 0.5 * rect.get_area():
                    return True
        if self.shapes:
            m = self.SHAPE_MARGIN
            near = (x0 - m, y0 - m, x1 + m, y1 + m)
            # a shape that encloses the whole neighbourhood is a frame or a background
            # (a boxed theorem, a coloured panel), not a diagram around the line
            if self._shape_array is None:  # a plot can draw 10^5 shapes: test them at once
                self._shape_array = np.array(self.shapes, dtype=np.float64)
            sx0, sy0, sx1, sy1 = self._shape_array.T
            nx0, ny0, nx1, ny1 = near
            intersects = (np.maximum(sx0, nx0) < np.minimum(sx1, nx1)) & (
                np.maximum(sy0, ny0) < np.minimum(sy1, ny1)
            )
            contains = (sx0 <= nx0) & (sy0 <= ny0) & (sx1 >= nx1) & (sy1 >= ny1)
            touching = int(np.count_nonzero(intersects & ~contains))
            if touching >= 2:
                return True
        if not self.density:
            return False
        c = self.CELL
        paths = sum(
            self.density.get((i, j), 0)
            for i in range(int(bbox[0] / c) - 1, int(bbox[2] / c) + 2)
            for j in range(int(bbox[1] / c) - 1, int(bbox[3] / c) + 2)
        )
        return paths > 12


_KNOWN = frozenset(ACCENTS) | frozenset("′″‴ ")
"""Characters besides ``SYMBOLS`` that math prints as themselves (accents, primes)."""
