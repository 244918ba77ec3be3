"""What a font's name says about its role in mathematics, across TeX's math font families.

pdfTeX embeds each family under its own names: Computer Modern (``CMMI10``, ``CMSY10``,
``CMEX10``), Latin Modern (``LMMathItalic10-Regular``, ``LMMathExtension10-Regular``), newtx
and newpx (``NewTXMI``, ``txsys``, ``txexs``, ``pxsys``), Libertine (``LibertineMathMI``),
kpfonts (``Kp--M-Italic``, ``Kp--M-Ex-Regular``), Fourier (``Fourier-Math-Letters-Italic``,
``Fourier-Math-Extension``), Euler (``EURM10``, ``EUEX10``), Palatino (``PazoMath-Italic``),
STIX (``STIXTwoMath``), Times via mathptmx (``StandardSymL``). The roles, not the families,
are what the reader needs: the extension font (big delimiters and operators, named by glyph
name, hanging from the baseline), the symbol font (upper-case letters there are
calligraphic), math italic (letters there are never operator words), bold, blackboard.
MuPDF cuts span font names to 24 characters, so patterns match a prefix of the name.
"""

from __future__ import annotations

import re
from functools import lru_cache

MATH_FONT_RE = re.compile(
    r"CMMI|CMSY|CMEX|CMBSY|MSBM|MSAM|EUFM|EUSM|EUEX|EURM|RSFS|Cambria-?Math|"
    # STIX's math fonts, not its text fonts (STIXTwoText, STIXGeneral set prose too)
    r"STIX(?:Two)?Math|STIXSize|STIXIntegrals|STIXVariants|STIXNonUnicode|"
    r"Symbol|StandardSym|LMMath|LatinModernMath|XITSMath|Asana|MTMI|MTSY|TXMI|TXSY|PXMI|PXSY|"
    r"[tp]xmia|[tp]xb?ex|[tp]xsy|Kp-+M-|jkp\w*(?:mi|sy|ex)|NewCMMath|Math",
    re.I,
)
"""Fonts that only set mathematics (letters in them are math, not prose)."""

_EXTENSION_RE = re.compile(r"CMEX|EUEX|Extension|(?:^|[^a-z])[tp]xb?exs?|-M-Ex|jkp\w*ex", re.I)
# MnSymbol's fonts all embed one program (``MnSymbol10``), its \mathcal capitals among them
_SYMBOL_RE = re.compile(
    r"CMSY|CMBSY|[tp]xb?sys|TXSY|PXSY|MathSymbols|Math-Symbols|-M-Sy|EUSM|jkp\w*sy|MnSymbol",
    re.I,
)
# a semibold is bold to the reader: Latin Modern's ``LMRomanDemi10`` sets mathastext's
# ``\mathbf``; ``-bol`` ends newtxsf's bold math letters (``zsfmi-bol``, ``zsfmia-bol``)
_BOLD_RE = re.compile(
    r"CMMIB|CMBX|CMBSY|BOLD|-MEDI|-BD|BMI\d*$|^[tp]xb|-Bold|Demi|-bol$|/Heavy", re.I
)
HEAVY_ROLE = "/Heavy"
"""The role of a font that its program or its stems call bold though its name does not
(``_lines.BOLD_BY_PROGRAM``). Inline detection asks the name alone (``is_named_bold``):
there a bold letter alone is a variable, and prose bold (cm-super's ``SFBX`` author lines
and headings) would read as one."""
_ITALIC_RE = re.compile(
    r"CMMI|ITAL|SLANT|OBLIQUE|-IT|MI\d*$|MathItalic|Letters-Italic|-M-Italic|[tp]xmia|Italic",
    re.I,
)


# Each predicate is a regex search on a font name, asked for every glyph (about 10,000 times a
# page) of the few tens of fonts a paper uses: cached by name, 0.1 CPU s a page less.
@lru_cache(maxsize=4096)
def is_math_font(font: str) -> bool:
    """A font that sets only mathematics (any family above)."""
    return bool(MATH_FONT_RE.search(font))


@lru_cache(maxsize=4096)
def is_extension_font(font: str) -> bool:
    """The family's extension font: big delimiters, big operators, delimiter pieces.

    Their glyphs often have no Unicode value (U+FFFD) and are named from the font program.
    """
    return bool(_EXTENSION_RE.search(font))


@lru_cache(maxsize=4096)
def is_symbol_font(font: str) -> bool:
    """The family's symbol font, where upper-case letters are calligraphic (``\\mathcal``)."""
    return bool(_SYMBOL_RE.search(font))


@lru_cache(maxsize=4096)
def is_bold_font(font: str) -> bool:
    return bool(_BOLD_RE.search(font))


def is_named_bold(font: str) -> bool:
    """Bold by the font's name (or an overprint), not by its program (:data:`HEAVY_ROLE`)."""
    return is_bold_font(font.replace(HEAVY_ROLE, ""))


_TEXT_ITALIC_RE = re.compile(r"^(?:CM|SF|EC)(?:B?X?)(?:TI|SL)\d|^Lin(?:Libertine|Biolinum)T\w*I$")
"""Text italics (and slanted) whose names the italic pattern above does not catch: Computer
Modern's and cm-super's ``CMTI10``, ``SFTI1000``, Libertine's ``LinLibertineTI``. In math
they set ``\\mathit`` (a multi-letter name: ``\\mathit{map}``); the others' names say
``Italic``."""


@lru_cache(maxsize=4096)
def is_text_italic_font(font: str) -> bool:
    """A text font's italic or slanted shape whose name does not say ``Italic``."""
    return bool(_TEXT_ITALIC_RE.search(font))


@lru_cache(maxsize=4096)
def is_italic_font(font: str) -> bool:
    """Math italic or a slanted text font: letters there are variables, not operator words."""
    return bool(_ITALIC_RE.search(font)) or is_symbol_font(font)


_BLACKBOARD_RE = re.compile(
    r"MSBM|BBOLD|DSROM|[tp]xb?syb|Syb(?:-|\d|$)|Blackboard|DoubleStruck", re.I
)
"""AMS symbols B and its twins named ``...syb`` (newtx/newpx ``txsyb``, kpfonts
``Kp--M-Syb-Regular``), bbold and dsfont, and any font that calls itself blackboard or
double-struck (mathpazo's ``PazoMathBlackboardBold``): letters there are ``\\mathbb``. Asked
before bold and symbol: such fonts are named bold, and ``-M-Sy`` names the symbol font."""


@lru_cache(maxsize=4096)
def is_blackboard_font(font: str) -> bool:
    return bool(_BLACKBOARD_RE.search(font))


_CALLIGRAPHIC_RE = re.compile(r"Math-?Cal", re.I)
"""A font of its own for ``\\mathcal`` (Fourier's ``Fourier-Math-Cal``), where other families
take the capitals of their symbol font."""


@lru_cache(maxsize=4096)
def is_calligraphic_font(font: str) -> bool:
    return bool(_CALLIGRAPHIC_RE.search(font))


@lru_cache(maxsize=4096)
def is_script_font(font: str) -> bool:
    return "RSFS" in font.upper()


@lru_cache(maxsize=4096)
def is_fraktur_font(font: str) -> bool:
    return "EUFM" in font.upper() or "EUFB" in font.upper()


_SANS_RE = re.compile(r"CMSS|SFSS|Sans|Biolinum|Helvetica|Arial|Heros|NimbusSan", re.I)
"""Sans-serif text fonts (Computer/Latin Modern Sans, cm-super, Biolinum, Helvetica and its
clones, any ``...Sans``): letters there in a formula are ``\\mathsf``."""


@lru_cache(maxsize=4096)
def is_sans_font(font: str) -> bool:
    return bool(_SANS_RE.search(font))


_WEIGHT_SUFFIX_RE = re.compile(r"(?:MT|PS)$")
_STYLE_LETTERS = frozenset(("B", "I", "O", "S", "BI", "BO", "SB", "Z"))
"""Style letters a family appends to its regular's name with no hyphen (Libertine's and
Biolinum's ``LinBiolinumT``, ``LinBiolinumTB``, ``LinBiolinumTI``)."""


def _family(font: str) -> str:
    base = font.split("/")[0]
    return _WEIGHT_SUFFIX_RE.sub("", base.split("-")[0])


@lru_cache(maxsize=4096)
def same_family(font: str, other: str) -> bool:
    """Two fonts of one family (its regular, bold, italic): ``FiraSans-Bold`` and
    ``FiraSans-Regular``, ``NimbusSanL-Bold`` and ``NimbusSanL-Regu``, ``Arial-BoldMT`` and
    ``ArialMT``, ``LinBiolinumTB`` and ``LinBiolinumT``."""
    a, b = _family(font), _family(other)
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return long.startswith(short) and long[len(short) :] in _STYLE_LETTERS
