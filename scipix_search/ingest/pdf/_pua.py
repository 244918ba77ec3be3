"""Private-use glyphs of math font families whose programs name them only by code point.

Some families put the letters they draw for mathematics in the Private Use Area: the Arev
fonts (Bitstream Vera extended for TeX math by ``arev``) set the math italic ``a i l u v w
x I`` and the capital Greek ``Γ Ξ Π Σ Φ`` from glyphs of their own shapes (a serifed ``I``,
a curly ``x``...), named ``uniEBE9`` and the like, so neither the ToUnicode map pdfTeX writes
from those names nor the names themselves say which letter is drawn. The family's TeX
encodings (``arevoml.enc``, ``arevot1.enc``, read through its virtual fonts) do: this table
is what they map, keyed by the family's font names. A family that names one of its math
glyphs after a character mathematics never prints has that glyph here too.
"""

from __future__ import annotations

import re

_FAMILIES: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = (
    (
        re.compile(r"Arev", re.I),
        {
            "\uebc9": "I", "\uebe1": "a", "\uebe9": "i", "\uebec": "l", "\uebf5": "u",
            "\uebf6": "v", "\uebf7": "w", "\uebf8": "x", "\uef13": "Γ", "\uef1e": "Ξ",
            "\uef20": "Π", "\uef23": "Σ", "\uef26": "Φ",
        },
    ),
    # Kerkis (``kmath``) names the lunate epsilon it sets for ``\\epsilon`` ``uni03F8``, the
    # Bactrian letter sho, which mathematics never prints
    (re.compile(r"Kerkis", re.I), {"\u03f8": "ϵ"}),
    # the florin is the italic f's shape, and fonts (Arev) name their math-italic f so
    (re.compile(r""), {"ƒ": "f"}),
)  # fmt: skip


_MISNAMED = frozenset(c for _, table in _FAMILIES for c in table if not "\ue000" <= c <= "\uf8ff")


def family_pua_char(font: str, c: str) -> str:
    """The character a private-use (or misnamed) glyph of a known family draws, or ``c``."""
    if not c or not (0xE000 <= ord(c[0]) <= 0xF8FF or c in _MISNAMED):
        return c
    for pattern, table in _FAMILIES:
        if c in table and pattern.search(font):
            return table[c]
    return c
