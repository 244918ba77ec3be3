"""Rows of an aligned display that hold no relation, typeset here with pdflatex (the tests
skip without it).

A problem statement labels its rows with upright words (``\\text{minimize}``, ``\\text{w.r.t.}``,
``\\text{s.t.}``) and most rows hold no relation, so the rule "both rows hold a relation"
kept them together; the label starts an equation. Sequents (``\\top \\vdash \\sigma``) are
separated by ``\\vdash``, a relation like ``=``. An abbreviation with points is one text
word (``\\text{w.r.t.}``).
"""

from __future__ import annotations

import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.math import as_tokens
from tests.factories import typeset

_DISPLAYS = [
    [
        r"\text{given} & \ \ y_{1} = D_{1}(x_{1}, y_{2})",
        r"\text{find} & \ \ F(x_{1}, y_{1}, y_{2})",
        r"\text{w.r.t.} & \ \ x_{1}, y_{1}, y_{2}",
        r"\text{s.t.} & \ \ G_{1}(y_{1}) \geq 0",
    ],
    [
        r"\text{minimize} \quad & f(x) + \lambda \| x \|_{1}",
        r"\text{subject to} \quad & A x = b",
        r"\text{over} \quad & x \in X",
    ],
    [r"\top & \vdash \sigma_{00}", r"\top & \vdash \sigma_{11}", r"\sigma_{xy} & \vdash \bot"],
]


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[tuple[str, ...]], set[tuple]]:
    body = "".join(
        "\\begin{align}\n" + " \\notag \\\\\n".join(display) + "\n\\end{align}\n"
        "and the next statement follows from it directly.\n"
        for display in _DISPLAYS
    )
    tex = typeset(
        tmp_path_factory.mktemp("labelled") / "labelled.tex",
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\pagestyle{empty}\n"
        "\\begin{document}\nThe problem is stated in the usual form, with the data given "
        "first and the constraints last, as follows.\n" + body + "\\end{document}\n",
    )
    source = [tuple(as_tokens(e.latex)) for e in read_tex_equations(tex) if e.display]
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    read = {tuple(as_tokens(row.latex)) for r in regions for row in r.rows}
    return source, read


def test_every_labelled_row_is_an_equation(rows: tuple[list[tuple[str, ...]], set]) -> None:
    source, read = rows
    assert len(source) == sum(len(d) for d in _DISPLAYS)
    missing = [" ".join(s) for s in source if s not in read]
    assert not missing
