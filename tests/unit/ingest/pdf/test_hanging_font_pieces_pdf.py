"""Tall delimiters and script fractions in a font whose boxes hang under the baseline, read
back from pdflatex documents typeset here (the tests skip without pdflatex).

The JMN fonts (Iwona, Kurier) set their math in fonts named like text (``Iwona-Regular``),
whose program reports an ascent of 0.04 em and a descent of 0.6 em, and draw the pieces of a
tall ``[`` or ``(`` at Adobe's private-use code points. Three things the reader got wrong
there, each true of any font:

* a line of a hanging font takes its glyphs' height, a delimiter piece's drawn extent
  included: MuPDF's line box of the top piece of a tall ``[`` reached 0.6 em under its
  baseline where the piece is drawn 1.8 em down, so it sat apart from the array's first row;
* a piece of a tall delimiter is math in any font, as CMEX's pieces are: in a text font it
  could not start a display, and the array's first row was read apart from the rest;
* a fraction bar is as wide as its numerator or denominator, which in a script of a script
  can be one letter: Iwona's ``e^{\\frac{\\lambda}{\\rho}}`` has a bar 2.9 pt wide, shorter
  than the 3 pt the page's rules had to reach to count, and read ``e^{\\rho^{\\lambda}}``.

Computer Modern reads the same displays as before (the control).
"""

from __future__ import annotations

import pytest

from scipix_search.math import as_tokens
from tests.factories import keyed_displays_fixture

_SETUPS = {
    "cm": "",
    "iwona": "\\usepackage[T1]{fontenc}\n\\usepackage[math]{iwona}\n",
    "kurier": "\\usepackage[T1]{fontenc}\n\\usepackage[math]{kurier}\n",
}
_DISPLAYS = {
    "script-fraction": r"p e^{\frac{\lambda}{\rho}} - \int f_2(\rho) e^{\frac{\lambda}{\rho}} d\rho = c",
    "bracket-array": r"J = \left[ \begin{array}{cc} 0 & 1 \\ -u^2 + \frac{\partial p}{\partial \rho} "
    r"& 2u \\ \frac{4}{3} \mu & u \end{array} \right]",
    "paren-array": r"\langle C \rangle = \left( \begin{array}{ccc} -0.41 & 0 & 0 \\ 0 & 0.52 & 0 "
    r"\\ 0 & 0 & 0.11 \end{array} \right)",
}


rows = keyed_displays_fixture("pieces", _SETUPS, _DISPLAYS)


@pytest.mark.parametrize("key", list(_DISPLAYS))
def test_displays_read_as_typeset(rows, key: str) -> None:
    setup, latex = rows
    assert tuple(as_tokens(latex[key])) == tuple(as_tokens(_DISPLAYS[key])), (setup, latex[key])
