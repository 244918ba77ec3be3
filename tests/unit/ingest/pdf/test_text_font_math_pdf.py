"""Formulas whose Latin letters are the upright text font's (mathastext), read back from
pdflatex documents typeset here (the tests skip without pdflatex).

mathastext prints ``ds_{xx}``, ``dt`` and ``\\mathbf{M}\\mathbf{w}`` in the prose's own
upright roman (Latin Modern's ``LMRoman10-Regular``, its ``\\mathbf`` in ``LMRomanDemi10``),
so tight runs of them read as ``\\text{dt}``, ``s_{\\text{xx}}``, ``\\text{Mw}``. On a page
that sets relations but next to no slanted or math-font Latin letters, such a run is a
product of variables unless it reads as a word (``if`` stays text); a semibold (``Demi``)
letter is bold. Computer Modern reads the same displays as before (the control).

fonts13: a lone letter in a phrase of that font is a variable (``\\text{for each } x``
printed ``for each x``); the letters of ``\\mathbb``, ``\\mathcal`` and ``\\mathfrak``, which
every setup takes from its own math fonts, do not count as the page's math letters (with the
``alphabets`` display on it the page was not told before); and on a page of sans prose the
sans font's own bold is the bold of ``\\mathbf``, not ``\\mathsf`` (mathastext over Fira Sans).
"""

from __future__ import annotations

import pytest

from scipix_search.ingest.pdf._families import same_family
from scipix_search.ingest.pdf._text_math import reads_as_word
from scipix_search.math import as_tokens
from tests.factories import keyed_displays_fixture

_SETUPS = {
    "cm": "",
    "mathastext": "\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n\\usepackage{mathastext}\n",
    "mathastext-sans": "\\usepackage[T1]{fontenc}\n\\usepackage[sfdefault]{FiraSans}\n"
    "\\usepackage{mathastext}\n",
}
_DISPLAYS = {
    "fractions": r"\frac{ds_{xx}}{dt} = -\frac{4}{3} \mu \frac{1}{\rho} \frac{d\rho}{dt}",
    "differentials": r"du = 0, \quad dp = 0, \quad ds_{xx} = 0",
    "bold-product": r"\mathbf{p} = \mathbf{M} \mathbf{w} + xy",
    "word": r"f(x) = 1 \quad \text{if} \quad x > 0",
    "phrase": r"\sigma_{xy} \vdash \sigma_{yx} \quad \text{for each } x, y \in L",
    "alphabets": r"\mathbb{Q} \subseteq \mathbb{R}, \quad \mathcal{O}(X) \subseteq \mathcal{O}(Y),"
    r" \quad \mathfrak{p} \subseteq \mathfrak{q}",
}


rows = keyed_displays_fixture("textmath", _SETUPS, _DISPLAYS)


@pytest.mark.parametrize("key", list(_DISPLAYS))
def test_displays_read_as_typeset(rows, key: str) -> None:
    setup, latex = rows
    assert tuple(as_tokens(latex[key])) == tuple(as_tokens(_DISPLAYS[key])), (setup, latex[key])


@pytest.mark.parametrize(
    ("word", "text"),
    [("if", True), ("or", True), ("otherwise", True), ("s.t.", True), ("for each", True),
     ("xy", False), ("dt", False), ("Mw", False), ("xx", False), ("nxy", False)],
)  # fmt: skip
def test_reads_as_word(word: str, text: bool) -> None:
    assert reads_as_word(word) is text


@pytest.mark.parametrize(
    ("font", "body", "same"),
    [("FiraSans-Bold", "FiraSans-Regular", True), ("NimbusSanL-Bold", "NimbusSanL-Regu", True),
     ("Arial-BoldMT", "ArialMT", True), ("LinBiolinumTB", "LinBiolinumT", True),
     ("CMBX10", "CMR10", False), ("LinLibertineTB", "LinBiolinumT", False),
     ("Helvetica-Bold", "NimbusSanL-Regu", False)],
)  # fmt: skip
def test_same_family(font: str, body: str, same: bool) -> None:
    assert same_family(font, body) is same
