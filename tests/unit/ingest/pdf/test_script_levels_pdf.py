"""Scripts of scripts at TeX's smallest size, read back from a pdflatex document typeset here
(the test skips without pdflatex).

TeX has three sizes (text, script, scriptscript); a script of a scriptscript glyph is set at
scriptscript size again, so only its shift off the baseline says it is a script
(``x_{i_k}`` in the denominator of a ``\\tfrac``, the ``i_1`` of ``x^{a_{i_1}}``). Such a
run's baseline is the one most of its glyphs sit on (of a tie, the first glyph's): the median
of ``i`` and ``k`` lies between them, and each was read as a script of the other
(``x_{^{i}k}``). TeX lowers a subscript by at least its font's ``sub1`` (0.15 em) and a short
letter by no more (``j_m``, read ``jm``), a digit or a tall letter further.

A fraction in a script is in script size with its bar on the script's math axis, well over
the row's baseline in a superscript and at about the baseline in a subscript; it is read as
the script it is (``e^{\\frac{x}{2}}``, ``I_{\\frac{1}{2}}``; both were set on the row,
``e\\frac{x}{2}``), while a ``\\tfrac`` on the row, in script size too, has its bar on the
row's axis.

A script ``(0)`` that MuPDF gives a line of its own looks like an equation number; TeX sets
those in the text's size, so a script-size one is the script it is (``\\rho_{(0)}^{*}``
lost its ``(0)`` to the display's number).
"""

from __future__ import annotations

import pytest

from scipix_search.math import as_tokens
from tests.factories import typeset_numbered

_DISPLAYS = {
    "frac-numerator": r"y = \tfrac{p(\mathcal{A}_{j_1,\ldots,j_\ell})}{q(x_{i_k})} + 1",
    "left-in-script": (
        r"y = \tfrac{p\left(\mathcal{A}_{j_1,\ldots,j_\ell} | \mathcal{X}_{j_1,\ldots,j_k}"
        r"\right)}{p(\mathcal{A}_{j_1})} + 1"
    ),
    "superscript": r"z = x^{a_{i_1}} + y_{b_{k_2}} - w",
    "plain": r"z = x_{i} + y^{2}",
    "fraction-scripts": (
        r"x = I_{\frac{1}{2}} \left(\frac{M-1}{2}\right) + e^{\frac{x}{2}} + \tfrac{1}{2} y"
    ),
    "fraction-in-fraction": r"y = \frac{a^{\frac{1}{2}}}{b_{\frac{c}{d}}} + x^{1/2}",
    "parenthesised-script": r"\Delta \rho = \frac{\rho_{(0)}^{*}}{100} + x_{(1)}",
    "short-letters": (
        r"d\mathbf{x}_{-\{\mathcal{X}_{j_{1},\ldots,j_{m}}\}} = \tfrac{p(\mathcal{A}_{j_{m}})}{q}"
        r" + z^{a_{i_{m}}}"
    ),
}


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[tuple[str, ...], str]]:
    doc = typeset_numbered(tmp_path_factory.mktemp("scripts") / "scripts.tex", _DISPLAYS.values())
    return {
        key: (tuple(as_tokens(source)), latex)
        for key, (source, latex) in zip(_DISPLAYS, doc.pairs(), strict=True)
    }


@pytest.mark.parametrize("key", list(_DISPLAYS))
def test_script_levels_read_as_typeset(
    read: dict[str, tuple[tuple[str, ...], str]], key: str
) -> None:
    source, latex = read[key]
    assert tuple(as_tokens(latex)) == source, latex
