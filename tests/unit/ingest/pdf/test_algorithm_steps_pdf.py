"""Steps of an algorithm float are no display; typeset here with pdflatex (the tests skip
without it or without the packages) with ``algorithm`` + ``algorithmic`` and with
``algorithm2e``.

A step dense with math (``Forecast: $\\mu_{t|t-1} = E_t \\mu_{t-1|t-1}$ and ...``) holds few
words and is set in from the margin, so it read as a display. Pseudocode sits in a float
between rules that span it, its steps numbered (``3:``) or led by bold keywords (**for**,
**return**); a display has neither (``_algorithms.in_algorithm``). The steps' math is inline
math; the displays of the text around the float stay.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions
from tests.factories import require_tex_file, typeset

_STEPS = {
    "algorithmic": (
        "\\usepackage{algorithm,algorithmic}\n",
        "\\begin{algorithm}[h]\n\\caption{Filtering}\n\\begin{algorithmic}[1]\n"
        "\\REQUIRE $\\mu_{0|0}$, $\\Sigma_{0|0}$ and $\\{(y_t, E_t, Q_t) : t = 1, \\dots, T\\}$\n"
        "\\FOR{$t = 1, 2, \\dots, T$}\n"
        "\\STATE Forecast: $\\mu_{t|t-1} = E_t \\mu_{t-1|t-1}$ and "
        "$L_{t|t-1} = E_t L_{t-1|t-1}$\n"
        "\\STATE $\\Sigma_{t|t-1} = L_{t|t-1} L_{t|t-1}^{\\top} + Q_t$\n"
        "\\STATE Update: $[\\mu_{t|t}, L_{t|t}] = \\mathcal{H}(\\mu_{t|t-1}, "
        "\\Sigma_{t|t-1}, y_t)$\n"
        "\\ENDFOR\n\\RETURN $\\mu_{t|t}$, $L_{t|t}$\n"
        "\\end{algorithmic}\n\\end{algorithm}\n",
    ),
    "algorithm2e": (
        "\\usepackage[ruled,vlined,linesnumbered]{algorithm2e}\n",
        "\\begin{algorithm}[h]\n\\caption{Filtering}\n"
        "\\KwIn{$\\mu_{0|0}$, $\\Sigma_{0|0}$ and $\\{(y_t, E_t, Q_t) : t = 1, \\dots, T\\}$}\n"
        "\\For{$t = 1, 2, \\dots, T$}{\n"
        "Forecast: $\\mu_{t|t-1} = E_t \\mu_{t-1|t-1}$ and $L_{t|t-1} = E_t L_{t-1|t-1}$\\;\n"
        "$\\Sigma_{t|t-1} = L_{t|t-1} L_{t|t-1}^{\\top} + Q_t$\\;\n"
        "Update: $[\\mu_{t|t}, L_{t|t}] = \\mathcal{H}(\\mu_{t|t-1}, \\Sigma_{t|t-1}, y_t)$\\;\n"
        "}\n\\KwRet{$\\mu_{t|t}$, $L_{t|t}$}\n\\end{algorithm}\n",
    ),
}
_TEXT = (
    "The filter runs forward in time, and each step costs a number of operations linear in "
    "the size of the state, which is what makes it usable for the large grids we consider "
    "in the applications of the next section. We then have\n"
    "\\[ x_{k+1} = x_k - \\eta_k \\nabla f(x_k) \\quad \\text{for } k = 0, 1, \\dots \\]\n"
    "for every step, and\n"
    "\\begin{equation} g(t) = \\begin{cases} \\gamma t^2 & \\text{if } t > 0, \\\\ 0 & "
    "\\text{otherwise}, \\end{cases} \\end{equation}\n"
    "which closes the argument.\n\n"
)


@pytest.mark.parametrize("package", sorted(_STEPS))
def test_algorithm_steps_are_no_displays(tmp_path: Path, package: str) -> None:
    require_tex_file(f"{package}.sty")
    preamble, float_ = _STEPS[package]
    tex = typeset(
        tmp_path / "steps.tex",
        f"\\documentclass{{article}}\n\\usepackage{{amsmath}}\n{preamble}"
        f"\\begin{{document}}\n{_TEXT}{float_}{_TEXT}\\end{{document}}\n",
    )
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False, inline=True)
    displays = [r for r in regions if r.display]
    steps = [r for r in displays if "\\mu" in r.latex or "\\Sigma" in r.latex]
    assert not steps, [r.latex for r in steps]
    assert sum("\\eta" in r.latex or "\\gamma" in r.latex for r in displays) == 4
    inline = [r.latex for r in regions if not r.display]
    assert any("\\Sigma" in latex for latex in inline), inline
