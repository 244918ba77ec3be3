"""Pages whose formulas take their letters from the upright text font (mathastext).

mathastext (and any setup that makes the text font's letters math letters) prints ``xy``,
``dt`` and ``\\mathbf{M}\\mathbf{w}`` in the same upright roman as the prose, so a run of
such letters set tight in a formula looked like a ``\\text`` word (``\\text{dt}``,
``s_{\\text{xx}}``). What tells such a page: the lines of it that are not prose set
relations and letters of the prose's own font, but almost none of their Latin letters are
slanted or from a math font (Computer Modern's displays set two and more a relation in CMMI,
pxfonts' in Palatino italic). On
such a page a tight run of upright text letters in a formula is still a product of
variables unless it reads as a word (:func:`reads_as_word`); the letters' font cannot say
which.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scipix_search.ingest.pdf._families import (
    is_blackboard_font,
    is_bold_font,
    is_calligraphic_font,
    is_fraktur_font,
    is_italic_font,
    is_math_font,
    is_script_font,
    is_symbol_font,
)

if TYPE_CHECKING:
    from scipix_search.ingest.pdf._glyphs import Glyph

_RELATIONS = frozenset("=<>≤≥≠≈≡∼∈∉⊂⊆→")
MIN_RELATIONS = 4
"""A page needs this many relations outside its prose before its letters' fonts say anything
about its math."""
MATH_LETTERS_PER_RELATION = 0.25
"""At most this many Latin letters of a math or an italic font a relation: a page of formulas
in math italic sets one or more a relation (``x = y``; pxfonts' and mathpazo's math letters
are the text italic's glyphs, Palatino's ``-Ital``); a page whose math letters are upright
text sets next to none (Greek still comes from a math font, Latin letters do not)."""

_TWO_LETTER_WORDS = frozenset(
    "an as at be by do if in is it no of on or so to up we".split()
)  # fmt: skip
"""English two-letter words, the ones formulas set as text (``\\text{if}``, ``\\text{or}``,
``\\text{for } x \\text{ in } A``): another pair of upright letters is a product (``xy``,
``dt``)."""
_VOWELS = frozenset("aeiouAEIOU")


def mark_text_math(
    formula_lines: Iterable[list[Glyph]], page_glyphs: Iterable[Glyph], body: str
) -> bool:
    """Flag the upright text-font glyphs of a page (``Glyph.text_math``) whose formulas take
    their Latin letters from the text font.

    Args:
        formula_lines: the glyphs of each of the page's lines that are not prose (displays,
            and the rows and fragments around them); those that hold a relation are read.
            Only there are slanted letters math's: a theorem's italic or an emphasised word
            is prose.
        page_glyphs: every glyph of the page (what is flagged).
        body: the font of most letters of the page's prose.

    Returns:
        Whether the page is such a page (and its glyphs were flagged).
    """
    shown = [g for line in formula_lines if any(h.c in _RELATIONS for h in line) for g in line]
    relations = sum(g.c in _RELATIONS for g in shown)
    if relations < MIN_RELATIONS:
        return False
    slanted = sum(
        g.c.isascii()
        and g.c.isalpha()
        and (is_math_font(g.font) or is_italic_font(g.font))
        and not _alphabet_font(g.font)
        for g in shown
    )
    if slanted > MATH_LETTERS_PER_RELATION * relations:
        return False
    # the letters are the prose font's: a figure's legend (``L=1`` in Helvetica) sets
    # relations and upright letters too, in a font of its own
    if sum(g.c.isascii() and g.c.isalpha() and g.font == body for g in shown) < relations:
        return False
    for g in page_glyphs:
        if not (is_math_font(g.font) or is_italic_font(g.font) or is_bold_font(g.font)):
            g.text_math = True
    return True


def _alphabet_font(font: str) -> bool:
    """A font of a math alphabet every setup takes from its own fonts (``\\mathbb{Q}``,
    ``\\mathcal{O}``, ``\\mathfrak{p}``, ``\\mathscr``): its letters say nothing about where
    the page's variables come from (a mathastext page sets its ``\\mathbb`` in MSBM)."""
    return (
        is_blackboard_font(font)
        or is_symbol_font(font)
        or is_calligraphic_font(font)
        or is_fraktur_font(font)
        or is_script_font(font)
    )


def reads_as_word(word: str) -> bool:
    """A tight run of upright letters that reads as a word of text (``if``, ``otherwise``,
    ``s.t.``), not as a product of variables (``xy``, ``dt``, ``Mw``): two letters that are
    an English word, or three and more holding a vowel; anything spaced or pointed is text.
    """
    if not word.isalpha():
        return True
    if len(word) == 2:
        return word.lower() in _TWO_LETTER_WORDS
    return any(c in _VOWELS for c in word)
