"""The glyph reading of a formula with its holes filled from the formula OCR's reading.

A glyph that the text layer cannot name (U+FFFD, a private-use piece of a tall delimiter, a
character math never prints as itself) leaves a hole in the glyph rebuild; everything else
in it is exact: the printed symbols, their fonts, and the layout the rebuild found (rows of a
``cases`` or an ``aligned``, fractions, scripts). The formula OCR reads the whole crop again
and guesses every symbol, one line at a time. So where the two readings agree around a hole,
the OCR's symbols at that place fill it, and the rest of the glyph reading stays as it is. A
hole where the OCR reads a structure (a fraction, a root, a script, an environment) is a part
of the layout the glyphs could not rebuild: :func:`fill_holes` gives None and the OCR reading
is used whole.
"""

from __future__ import annotations

import difflib
import re

from scipix_search.ingest.pdf._glyphs import ACCENTS, PUA_PIECES, SYMBOLS, char_mapped

_TOKEN_RE = re.compile(r"\\[A-Za-z]+\*?|\\.|\S")
_SIZES = frozenset(
    r"\left \right \middle \big \Big \bigg \Bigg \bigl \bigr \Bigl \Bigr \biggl \biggr \Biggl "
    r"\Biggr \bigm \Bigm".split()
)
_NULL_DELIMITER = frozenset(r"\left \right \middle".split())
_LAYOUT = _SIZES | frozenset(
    r"{ } ~ \, \; \: \! \> \  \quad \qquad \displaystyle \textstyle \scriptstyle \small "
    r"\mathrm \mathbf \mathit \mathsf \mathtt \mathcal \boldsymbol \bm \bf \rm \it \cal \sf "
    r"\boldmath \unboldmath \text \textrm \textsf \textit \mbox \operatorname \operatorname* "
    r"\hbox \vphantom \phantom".split()
)
_SYMBOL_COMMANDS = frozenset(
    v for v in SYMBOLS.values() if v.startswith("\\") and v[1:].isalpha() and v != r"\sqrt"
) | frozenset(
    r"\mid \vert \Vert \| \{ \} \lbrace \rbrace \langle \rangle \lvert \rvert \lVert \rVert "
    r"\ldots \cdots \dots \vdots \ddots".split()
)
"""Commands that print one symbol and take no argument: what a hole may be filled with."""
_ACCENT_NAMES = frozenset(ACCENTS.values()) | frozenset("widehat widetilde overline".split())


_PIECE_DELIMITER = {"paren": "()", "bracket": "[]", "brace": (r"\{", r"\}")}


def mend_pieces(latex: str, *, keep: bool = True) -> str:
    """``latex`` with the Symbol-font pieces of tall delimiters that the rebuild did not
    assemble (private-use code points, see ``_glyphs.PUA_PIECES``) written as the delimiter
    they build: a piece names its delimiter and its part (top, middle, extension, bottom),
    so it is no hole to fill. The pieces of one delimiter (top to bottom, in reading order:
    the rows of a ``cases`` each hold some) give the symbol once, at the first; with
    ``keep=False`` they are dropped.

    Example:
        >>> mend_pieces("x = \uf8f1 a \\\\ \uf8f3 b")
        'x = \\{ a \\\\  b'
    """
    out: list[str] = []
    open_: set[str] = set()  # delimiters whose bottom piece is still to come
    for c in latex:
        name = PUA_PIECES.get(ord(c), "")
        if not name:
            out.append(c)
            continue
        kind = next(k for k in _PIECE_DELIMITER if name.startswith(k))
        side = "left" if "left" in name else "right"
        key = kind + side
        if key not in open_ and keep:
            out.append(_PIECE_DELIMITER[kind][side == "right"])
        if name.endswith("bt"):
            open_.discard(key)
        else:
            open_.add(key)
    return "".join(out)


def is_hole(token: str) -> bool:
    """A glyph the text layer could not name: one non-ASCII character with no LaTeX."""
    return len(token) == 1 and not token.isascii() and not char_mapped(token)


def has_holes(latex: str) -> bool:
    """The LaTeX holds a glyph the text layer could not name (see :func:`is_hole`)."""
    return any(is_hole(c) for c in latex if not c.isascii())


def _fillable(token: str) -> bool:
    """One printed symbol: a letter, digit, punctuation or a symbol command (no argument)."""
    if token.startswith("\\"):
        return token in _SYMBOL_COMMANDS
    return token not in "_^&" and not is_hole(token)


def _symbols(tokens: list[str]) -> list[int]:
    """Indexes of the tokens that print something (sizes, fonts, spaces, braces left out);
    ``^{\\prime}`` is kept as its ``\\prime`` alone, as the glyphs' ``'`` is."""
    keep: list[int] = []
    null = False
    env = _environments(tokens)
    for i, tok in enumerate(tokens):
        if i in env:
            if env[i]:
                keep.append(i)
            continue
        if null and tok == ".":  # \left. / \right.: no delimiter
            null = False
            continue
        null = tok in _NULL_DELIMITER
        if tok == "^" and _next_symbol(tokens, i) == r"\prime":
            continue
        if tok not in _LAYOUT:
            keep.append(i)
    return keep


_ENV_DELIMITERS = {
    "cases": (r"\{", ""), "pmatrix": ("(", ")"), "bmatrix": ("[", "]"),
    "Bmatrix": (r"\{", r"\}"), "vmatrix": ("|", "|"), "Vmatrix": (r"\|", r"\|"),
}  # fmt: skip
"""The delimiters an environment prints around its rows."""


def _environments(tokens: list[str]) -> dict[int, str]:
    """``\\begin`` / ``\\end`` with the environment's name and an array's column spec
    (``\\begin{array}{ll}``) print no letters: index -> the delimiter they print (``cases``:
    a brace; ``pmatrix``: parentheses), or "" for a token that prints nothing."""
    out: dict[int, str] = {}
    i = 0
    while i < len(tokens):
        if tokens[i] not in (r"\begin", r"\end"):
            i += 1
            continue
        start, end = i, i + 1
        name: list[str] = []
        groups = 0
        while end < len(tokens) and tokens[end] == "{" and groups < 2:
            if groups == 1 and "".join(name).rstrip("*") not in ("array", "subarray", "tabular"):
                break
            depth = 0
            while end < len(tokens):
                depth += {"{": 1, "}": -1}.get(tokens[end], 0)
                if groups == 0 and tokens[end] not in "{}":
                    name.append(tokens[end])
                end += 1
                if depth == 0:
                    break
            groups += 1
        side = _ENV_DELIMITERS.get("".join(name), ("", ""))[tokens[start] == r"\end"]
        out.update((k, "") for k in range(start, end))
        out[start] = side
        i = end
    return out


def _next_symbol(tokens: list[str], i: int) -> str:
    return next((t for t in tokens[i + 1 :] if t not in "{}"), "")


def _accents(tokens: list[str]) -> int:
    return sum(1 for t in tokens if t.startswith("\\") and t[1:] in _ACCENT_NAMES)


def fill_holes(glyph_latex: str, ocr_latex: str) -> str | None:
    """``glyph_latex`` with each hole replaced by the symbols ``ocr_latex`` reads in its place.

    The two readings are aligned on their printed symbols (sizes, fonts, spaces and braces
    left out); a run of holes between symbols both readings share takes the OCR's symbols
    between the same neighbours (none: the hole is dropped).

    Args:
        glyph_latex: the text-layer (glyph) LaTeX of a formula.
        ocr_latex: the formula OCR's LaTeX of the same crop (corrected with the text layer).

    Returns:
        The filled glyph LaTeX; ``glyph_latex`` itself when it has no hole; None when the OCR
        reads a structure where a hole is (a fraction, root, script, environment or row break),
        so the glyph reading lacks more than symbols.

    Example:
        >>> fill_holes("\\{ x \\ufffd y \\}", "\\left\\{ x \\Big| y \\right\\}")
        '\\\\{ x | y \\\\}'
    """
    if not has_holes(glyph_latex):
        return glyph_latex
    glyph = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(glyph_latex)]
    ocr = _TOKEN_RE.findall(ocr_latex)
    if _accents(ocr) > _accents([t for _, _, t in glyph]):
        return None  # an accent the glyphs could not name: it sits over its letter
    gt = [t for _, _, t in glyph]
    gi, oi = _symbols(gt), _symbols(ocr)
    genv, oenv = _environments(gt), _environments(ocr)
    gs = [genv.get(i) or gt[i] for i in gi]
    os_ = [
        oenv.get(i) or ("'" if ocr[i] == r"\prime" and ocr[i - 1] in "^{" else ocr[i]) for i in oi
    ]
    filled: dict[int, str] = {}  # glyph token index -> its replacement
    matcher = difflib.SequenceMatcher(None, gs, os_, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        holes = [k for k in range(a0, a1) if is_hole(gs[k])]
        if tag == "equal" or not holes:
            continue
        read = os_[b0:b1]
        if a1 - a0 == b1 - b0:  # symbol for symbol: each hole takes the OCR's at its place
            if not all(_fillable(os_[b0 + k - a0]) for k in holes):
                return None
            filled.update((gi[k], os_[b0 + k - a0]) for k in holes)
            continue
        if len(holes) < a1 - a0:  # holes among named glyphs: the OCR's symbols they lack
            named = [gs[k] for k in range(a0, a1) if k not in holes]
            for tok in named:
                if tok in read:
                    read.remove(tok)
        if not all(_fillable(t) for t in read):
            return None
        filled[gi[holes[0]]] = " ".join(read)
        for k in holes[1:]:
            filled[gi[k]] = ""
    out: list[str] = []
    last = 0
    for i, (start, end, _tok) in enumerate(glyph):
        if i not in filled:
            continue
        out.append(glyph_latex[last:start])
        text = filled[i]
        if text and out[-1] and re.search(r"\\[A-Za-z]+$", out[-1]) and text[0].isalpha():
            text = " " + text  # \in x, not \inx
        if re.search(r"\\[A-Za-z]+$", text) and glyph_latex[end : end + 1].isalpha():
            text += " "
        out.append(text)
        last = end
    out.append(glyph_latex[last:])
    return "".join(out)
