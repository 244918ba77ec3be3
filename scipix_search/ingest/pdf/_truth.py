"""A text layer that lies: characters whose Unicode value is not the glyph the font draws.

A PDF's text layer gives each character the Unicode value of the font's ToUnicode map (or
of its encoding). Some fonts carry a wrong one: a Latin Modern font of ``cfr-lm`` maps the
code of ``=`` to ``“`` and that of ``×`` to ``ˆ``; a Computer Modern math italic in some
PDFs maps ``ρ``/``τ`` to ``⇢``/``⌧``. The page still draws the right glyphs, and the
embedded Type 1 or CFF program names each of them (``equal``, ``multiply``, ``tau``):
MuPDF's text trace gives every character's glyph index, so the name of what is drawn can
be set against what the text layer says, for any font, without knowing its family.

Where the two disagree, the drawn glyph wins. In a font that disagrees on several codes,
the characters whose names say nothing (``g42``, ``uni0000``) are not trusted either: they
become U+FFFD, which sends their formula to the OCR instead of keeping a wrong symbol.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pymupdf

from scipix_search.ingest.pdf._fonts import base_glyph_name, span_glyph_names
from scipix_search.ingest.pdf._glyphs import ACCENTS, SYMBOLS
from scipix_search.ingest.pdf._unicode_math import split_math_alphanumeric

Origin = tuple[float, float]

# TeX's names that the Adobe Glyph List does not have (Computer Modern's variant Greek, the
# symbols of CMSY and its clones)
_TEX_NAMES = {
    "epsilon1": "ε", "theta1": "ϑ", "phi1": "φ", "rho1": "ϱ", "sigma1": "ς", "omega1": "ϖ",
    "arrowhookleft": "↩", "arrowhookright": "↪", "negationslash": "\u0338",
    "angbracketleft": "⟨", "angbracketright": "⟩", "floorleft": "⌊", "floorright": "⌋",
    "ceilingleft": "⌈", "ceilingright": "⌉", "bardbl": "‖", "diamondmath": "⋄",
    "circleminus": "⊖", "circledivide": "⊘", "circledot": "⊙", "equivasymptotic": "≍",
    "precedesequal": "⪯", "followsequal": "⪰", "lessmuch": "≪", "greatermuch": "≫",
    "follows": "≻", "similarequal": "≃", "arrownortheast": "↗", "arrowsoutheast": "↘",
    "arrownorthwest": "↖", "arrowsouthwest": "↙", "prime": "′", "owner": "∋",
    "triangle": "△", "triangleinv": "▽", "Rfractur": "ℜ", "Ifractur": "ℑ", "latticetop": "⊤",
    "unionmulti": "⊎", "turnstileleft": "⊢", "turnstileright": "⊣", "arrowbothv": "↕",
    "arrowdblbothv": "⇕", "wreathproduct": "≀", "coproduct": "∐", "unionsq": "⊔",
    "intersectionsq": "⊓", "subsetsqequal": "⊑", "supersetsqequal": "⊒",
    # the variant beta of Kerkis and Greek text fonts (TeX's ``\\beta``)
    "beta1": "β",
    # the math accents of newtx's and newpx's symbol fonts (txsys, pxsys), and kpfonts' ≠
    "vec": "⃗", "dotacc": "˙", "ddotacc": "¨", "nequal": "≠",
}  # fmt: skip
# one symbol with several code points (fonts and the AGL pick different ones)
_SAME = {
    "ϕ": "φ", "ϵ": "ε", "ϑ": "θ", "ϱ": "ρ", "ς": "σ", "ϖ": "π", "ϰ": "κ", "µ": "μ",
    "⋅": "·", "∙": "·", "−": "-", "‐": "-", "∼": "~", "˜": "~", "ˆ": "^", "′": "'", "’": "'",
    "∣": "|", "‖": "∥", "∖": "\\", "∆": "Δ", "Ω": "Ω", "ℏ": "ħ", "∅": "∅", "ø": "∅",
    "∶": ":", "⁄": "/", "∕": "/", "ı": "i", "ȷ": "j", "ϐ": "β",
}  # fmt: skip
# TeX's two phis: its fonts name ``\phi`` ``phi`` and ``\varphi`` ``phi1`` (Computer and
# Latin Modern, newtx, ...), while the ToUnicode maps of PDFs give either code point to
# either glyph (one paper's ``\varphi`` is U+03D5, another's ``\phi`` U+03C6). Where a
# program names the glyph so, the name decides: U+03D5 is ``\phi``, U+03C6 ``\varphi``
# (the Unicode reading, as for the math alphanumerics).
_VARIANTS = {"phi": "ϕ", "phi1": "φ"}
MIN_AGREEMENT = 2
"""A font's names are believed only where its codes agree with them this many times as
often as they disagree (a lie concerns a few codes; a misread glyph order, most)."""
LIAR_CODES = 2
"""A font that disagrees with its own glyph names on this many codes lies: its characters
without a telling name are not trusted."""


@lru_cache(maxsize=2048)
def drawn_char(name: str) -> str:
    """The character a glyph name stands for (``equal`` -> ``=``), or ``""`` when the name
    says nothing (``g42``, ``.notdef``) or stands for several characters."""
    name = base_glyph_name(name)
    if name in _TEX_NAMES:
        return _TEX_NAMES[name]
    from fontTools.agl import toUnicode  # fonttools reads CFF programs already

    c = toUnicode(name)
    return c if len(c) == 1 and c.isprintable() else ""


_CALLIGRAPHIC_NAME_RE = re.compile(r"([A-Z])\.?cal")
"""mathdesign names its ``\\mathcal`` capitals ``Acal`` ... ``Zcal`` (no Unicode value)."""


def named_letter(name: str) -> tuple[str, str]:
    """``(letter, font-role suffix)`` that a glyph without a Unicode value draws, by its name
    in the font program (``Acal`` -> ``("A", "/CMSY")``, calligraphic; ``beta1`` -> ``β``;
    an accent, ``dotacc`` -> ``˙``, or a symbol by its TeX name, ``nequal`` -> ``≠``), or
    ``("", "")`` when the name names no letter."""
    m = _CALLIGRAPHIC_NAME_RE.fullmatch(base_glyph_name(name))
    if m:
        return m.group(1), "/CMSY"
    c = drawn_char(name)
    if c in ACCENTS or (base_glyph_name(name) in _TEX_NAMES and c in SYMBOLS):
        return c, ""  # an accent, or a symbol by its TeX name (kpfonts' ``nequal``)
    return split_math_alphanumeric(c) if c.isalpha() else ("", "")


def _key(c: str) -> str:
    """What a character means for LaTeX: variant code points and styled letters folded."""
    c = unicodedata.normalize("NFKC", split_math_alphanumeric(c)[0])
    c = _SAME.get(c, c)
    return SYMBOLS.get(c, c)


def disagrees(text: str, drawn: str) -> bool:
    """The text layer's character is not the drawn glyph (both known, meaning different)."""
    if not drawn or not text or text == "\ufffd" or 0xE000 <= ord(text[0]) <= 0xF8FF:
        return False  # unknown on one side: nothing to check
    ligature = unicodedata.normalize("NFKC", drawn)
    if len(ligature) > 1:  # MuPDF gives each letter of a ligature (``ﬁ``) the ligature's glyph
        return unicodedata.normalize("NFKC", text) not in ligature
    return _key(text) != _key(drawn)


def drawn_characters(page: pymupdf.Page, trace: list[dict]) -> dict[Origin, str]:
    """Characters of the page where the text layer lies, by origin: the drawn character,
    or U+FFFD for a character of a lying font whose glyph name says nothing.

    Args:
        page: the page (its fonts' programs are read, once per document).
        trace: the page's ``get_texttrace()``.

    Returns:
        ``{(round(x, 1), round(y, 1)): character}``; empty for an honest text layer.
    """
    fonts = page.get_fonts() if trace else []
    # the characters of each font program (two fonts can share MuPDF's cut name)
    by_font: dict[int, tuple[list[str], list[tuple[int, int, Origin]]]] = {}
    memo: dict[str, list[str]] = {}
    for span in trace:
        names = span_glyph_names(page, span, fonts, memo)
        if names:
            entry = by_font.setdefault(id(names), (names, []))
            entry[1].extend((ch[0], ch[1], ch[2]) for ch in span["chars"])
    out: dict[Origin, str] = {}
    for names, chars in by_font.values():
        fixes: dict[tuple[int, int], str] = {}
        variants: dict[tuple[int, int], str] = {}
        silent: set[tuple[int, int]] = set()
        agree = 0
        for code, gid in {(c, g) for c, g, _ in chars}:
            if code < 32 or not 0 <= gid < len(names):
                continue
            drawn = drawn_char(names[gid])
            variant = _VARIANTS.get(base_glyph_name(names[gid]))
            if variant and chr(code) in _VARIANTS.values() and chr(code) != variant:
                variants[(code, gid)] = variant
            if disagrees(chr(code), drawn):
                fixes[(code, gid)] = drawn
            elif drawn:
                agree += 1
            else:
                silent.add((code, gid))
        # a font whose names mostly disagree is one whose glyph order MuPDF does not give
        # as its program lists it: its names prove nothing
        if agree < MIN_AGREEMENT * max(1, len(fixes)):
            continue
        if len(fixes) < LIAR_CODES:
            silent = set()
        fixes = {**variants, **fixes}
        if not fixes:
            continue
        for code, gid, origin in chars:
            fix = fixes.get((code, gid)) or ("\ufffd" if (code, gid) in silent else "")
            if fix:
                out[(round(origin[0], 1), round(origin[1], 1))] = fix
    return out
