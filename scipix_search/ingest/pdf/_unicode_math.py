"""Unicode math alphanumerics (``𝑥``, ``𝜶``, ``ℝ``) as a base letter plus a style.

Math fonts with a full ToUnicode map (newtx, newpx, Libertine, STIX) report a math-italic
``x`` as U+1D465 MATHEMATICAL ITALIC SMALL X, a bold one as U+1D431, a blackboard R as
U+211D. The reader works on base letters (``x``, ``α``) with the style carried by the font
name, as for Computer Modern's ``CMMI``/``CMBX``/``MSBM`` fonts: so the style is appended to
the font name as a role that :mod:`._families` recognises.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# style words of Unicode names -> a role suffix for the font name (see _families)
_STYLES = (
    ("DOUBLE-STRUCK", "/MSBM"),
    ("BOLD FRAKTUR", "/EUFM-Bold"),
    ("FRAKTUR", "/EUFM"),
    ("BOLD SCRIPT", "/CMBSY-Bold"),
    ("SCRIPT", "/CMSY"),
    ("SANS-SERIF BOLD ITALIC", "/SANS-Bold-Italic"),
    ("SANS-SERIF BOLD", "/SANS-Bold"),
    ("SANS-SERIF ITALIC", "/SANS-Italic"),
    ("SANS-SERIF", "/SANS"),
    ("MONOSPACE", "/MONO"),
    ("BOLD ITALIC", "/Bold-MathItalic"),
    ("BOLD", "/Bold"),
    ("ITALIC", "/MathItalic"),
)
_LETTERLIKE = {
    "ℎ": ("h", "/MathItalic"), "ℏ": ("ℏ", ""), "ℂ": ("C", "/MSBM"), "ℍ": ("H", "/MSBM"),
    "ℕ": ("N", "/MSBM"), "ℙ": ("P", "/MSBM"), "ℚ": ("Q", "/MSBM"), "ℝ": ("R", "/MSBM"),
    "ℤ": ("Z", "/MSBM"), "ℬ": ("B", "/CMSY"), "ℰ": ("E", "/CMSY"), "ℱ": ("F", "/CMSY"),
    "ℋ": ("H", "/CMSY"), "ℐ": ("I", "/CMSY"), "ℒ": ("L", "/CMSY"), "ℳ": ("M", "/CMSY"),
    "ℛ": ("R", "/CMSY"), "ℭ": ("C", "/EUFM"), "ℌ": ("H", "/EUFM"), "ℨ": ("Z", "/EUFM"),
    "ı": ("ı", ""), "ȷ": ("j", "/MathItalic"),
}  # fmt: skip
_DIGITS = {
    "ZERO": "0", "ONE": "1", "TWO": "2", "THREE": "3", "FOUR": "4", "FIVE": "5", "SIX": "6",
    "SEVEN": "7", "EIGHT": "8", "NINE": "9",
}  # fmt: skip


@lru_cache(maxsize=4096)
def split_math_alphanumeric(c: str) -> tuple[str, str]:
    """``(base character, font-role suffix)`` of ``c``; ``(c, "")`` for any other character.

    >>> split_math_alphanumeric("𝑥")
    ('x', '/MathItalic')
    >>> split_math_alphanumeric("𝛂")
    ('α', '/Bold')
    """
    if c in _LETTERLIKE:
        return _LETTERLIKE[c]
    if len(c) != 1 or not 0x1D400 <= ord(c) <= 0x1D7FF:
        return c, ""
    name = unicodedata.name(c, "")
    if not name.startswith("MATHEMATICAL "):
        return c, ""
    rest = name[len("MATHEMATICAL ") :]
    suffix = ""
    for words, role in _STYLES:
        if rest.startswith(words + " "):
            rest, suffix = rest[len(words) + 1 :], role
            break
    if rest.startswith("DIGIT "):
        return _DIGITS.get(rest[6:], c), suffix
    base = _base_letter(rest)
    return (base, suffix) if base else (c, "")


def _base_letter(rest: str) -> str:
    """``CAPITAL A`` -> ``A``, ``SMALL ALPHA`` -> ``α``, ``EPSILON SYMBOL`` -> ``ϵ``."""
    for prefix in ("CAPITAL ", "SMALL "):
        if rest.startswith(prefix):
            letter = rest[len(prefix) :]
            if len(letter) == 1:
                return letter if prefix == "CAPITAL " else letter.lower()
            case = "CAPITAL" if prefix == "CAPITAL " else "SMALL"
            try:
                return unicodedata.lookup(f"GREEK {case} LETTER {letter}")
            except KeyError:
                return ""
    symbols = {
        "EPSILON SYMBOL": "ϵ", "THETA SYMBOL": "ϑ", "KAPPA SYMBOL": "ϰ", "PHI SYMBOL": "ϕ",
        "RHO SYMBOL": "ϱ", "PI SYMBOL": "ϖ", "CAPITAL THETA SYMBOL": "ϴ", "NABLA": "∇",
        "PARTIAL DIFFERENTIAL": "∂",
    }  # fmt: skip
    return symbols.get(rest, "")
