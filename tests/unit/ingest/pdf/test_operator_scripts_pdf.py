"""The scripts of an integral in a display of several rows, read back from a pdflatex
document typeset here (the test skips without pdflatex).

TeX sets a display integral's scripts at its right, the lower one down by its foot: in a
``cases`` or an ``aligned`` the lower script of one row's integral stands over the integral
of the next row, within its width. It was read as that integral's upper limit
(``\\int^{\\rho_L}_{\\rho_R}^{\\rho}`` in the second row, ``\\int^{\\rho}`` in the first), and
beside a left-hand side centred between the two rows its own script (the ``L`` of
``\\rho_L``) went to that side's row. Likewise a script of a glyph in the row above, set
tight after it and wider than a ``\\prod`` under it (``d\\mathbf{x}_{-\\{X_m \\cup
X_\\ell\\}}``), is no limit of that operator.
"""

from __future__ import annotations

import pytest

from scipix_search.math import as_tokens
from tests.factories import typeset_numbered

_ROW_1 = r"u_L - \int_{\rho_L}^{\rho} \frac{c(x)}{x} dx"
_ROW_2 = r"u_R + \int_{\rho_R}^{\rho} \frac{c(x)}{x} dx"
_DISPLAYS = {
    "cases": (
        rf"u(\rho) = \begin{{cases}} {_ROW_1}, & \rho_L \ge \rho, \\ "
        rf"{_ROW_2}, & \rho_R \ge \rho, \end{{cases}}"
    ),
    "aligned-in-brace": (
        rf"u(\rho) = \left\{{ \begin{{aligned}} & {_ROW_1}, \quad & \rho_L \ge \rho, \\ "
        rf"& {_ROW_2}, \quad & \rho_R \ge \rho, \end{{aligned}} \right."
    ),
    "aligned": rf"u(\rho) = \begin{{aligned}} & {_ROW_1}, \\ & {_ROW_2}, \end{{aligned}}",
    "limits": r"y = \int\limits_{a}^{b} f + \sum_{i=1}^{n} x_{i} + \int_{0}^{1} g",
    "script-over-product": (
        r"\begin{aligned} p(X) & \textstyle = \int q(\mathbf{x}) d\mathbf{x}_{-\{X_{m} \cup "
        r"X_{\ell}\}} = \\ & \textstyle = \int \prod_{k=0}^{M} \prod_{j_{1},\ldots,j_{k}} "
        r"p(X_{k}) d\mathbf{y} \end{aligned}"
    ),
}


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    doc = typeset_numbered(
        tmp_path_factory.mktemp("opscripts") / "opscripts.tex", _DISPLAYS.values()
    )
    return {
        key: (" ".join(as_tokens(source)), " ".join(as_tokens(latex)))
        for key, (source, latex) in zip(_DISPLAYS, doc.pairs(), strict=True)
    }


@pytest.mark.parametrize("key", ["cases", "limits"])
def test_read_as_typeset(read: dict[str, tuple[str, str]], key: str) -> None:
    source, latex = read[key]
    assert latex == source


@pytest.mark.parametrize("key", list(_DISPLAYS)[:3])
def test_each_integral_keeps_its_scripts(read: dict[str, tuple[str, str]], key: str) -> None:
    _, latex = read[key]
    for row in (_ROW_1, _ROW_2):
        assert " ".join(as_tokens(row)) in latex


def test_a_script_of_the_row_above_is_no_limit(read: dict[str, tuple[str, str]]) -> None:
    _, latex = read["script-over-product"]
    assert "\\mathbf { x } _ { - \\{ X _ { m } \\cup X _ { \\ell } \\} } =" in latex
    assert "\\prod _ { j _ { 1 } , \\ldots , j _ { k } } p" in latex
