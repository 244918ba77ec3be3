"""Line numbers in the margin (``lineno``, a journal's review mode), typeset here with
pdflatex (the test skips without it).

The numbers are small digits alone on their lines, aligned on one edge, counting up down the
page; beside a display in a two-column page they joined it as scripts
(``\\frac{a}{6t},^{60}_{61}``). They are no part of any formula.
"""

from __future__ import annotations

import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.math import as_tokens
from tests.factories import typeset

_PROSE = (
    "The mean squared displacement of the particles grows linearly with time in the "
    "diffusive regime, and its slope gives the diffusion coefficient of the system. "
)
_DISPLAYS = (
    r"D^{*} = \lim_{t \to \infty} \frac{\langle \Delta r(t)^{2} \rangle}{6 t},",
    r"x(t) = \frac{1}{N(t)} \sum_{j=1}^{N(t)} [\Delta r_{j}(t)]^{2},",
    r"\sigma^{2}[x_{i}] = a \frac{t_{i}^{2}}{N_{i}},",
)


@pytest.mark.parametrize("modulo", ["", "\\modulolinenumbers[5]\n"])
def test_line_numbers_stay_out_of_displays(
    tmp_path_factory: pytest.TempPathFactory, modulo: str
) -> None:
    body = "".join(
        f"{_PROSE * 3}\n\\begin{{equation}}\n{latex}\n\\end{{equation}}\n{_PROSE * 2}\n"
        for latex in _DISPLAYS
    )
    tex = typeset(
        tmp_path_factory.mktemp("lineno") / "lineno.tex",
        "\\documentclass[twocolumn]{article}\n\\usepackage{amsmath}\n\\usepackage{lineno}\n"
        f"\\pagestyle{{empty}}\n\\linenumbers\n{modulo}\\begin{{document}}\n{body}"
        "\\end{document}\n",
    )
    source = [e for e in read_tex_equations(tex) if e.display]
    read = {r.number: r.latex for r in find_equation_regions(tex.with_suffix(".pdf"), render=False)}
    assert len(source) == len(_DISPLAYS)
    for n, eq in enumerate(source, start=1):
        assert as_tokens(read.get(str(n), "")) == as_tokens(eq.latex), read
