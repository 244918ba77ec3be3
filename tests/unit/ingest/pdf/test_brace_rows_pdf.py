"""Rows of a ``cases`` or a braced ``aligned`` that start with words, typeset here with
pdflatex (the test skips without it).

A row that starts with a label or a condition in words (``\\text{R: Copper,} \\quad \\rho =
8930``) reads as prose by its words, so it was dropped and the brace kept the other rows only
(or none: the whole ``cases`` was lost). A paragraph line has no tall delimiter beside it; a
line that starts right after a brace that reaches over it and more is a row of the display.
"""

from __future__ import annotations

import pytest

from tests.factories import typeset_numbered

_DISPLAYS = (
    r"\left\{ \begin{aligned} & \text{L: Al,} \quad \rho = 2785 \text{kg}/\text{m}^{3}, \quad "
    r"u = 40 \text{m}/\text{s}, \\ & \text{R: Copper,} \quad \rho = 8930 \text{kg}/\text{m}^{3},"
    r" \quad u = 0.0 \text{m}/\text{s}. \end{aligned} \right.",
    r"f(x) = \begin{cases} \text{positive for every admissible input,} & x > 0, \\ "
    r"\text{negative for every admissible input,} & x < 0. \end{cases}",
)


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    doc = typeset_numbered(tmp_path_factory.mktemp("bracerows") / "rows.tex", _DISPLAYS)
    return {r.number or "": r.latex for r in doc.regions if r.display}


@pytest.mark.parametrize(
    ("number", "parts"),
    [
        ("1", ["\\rho=2785", "\\text{Copper}", "\\rho=8930", "u=0.0"]),
        ("2", ["\\begin{cases}", "\\text{positive for every admissible input}", "x>0", "x<0"]),
    ],
)
def test_worded_rows_stay_in_the_brace(read: dict[str, str], number: str, parts: list[str]) -> None:
    latex = read.get(number, "")
    for part in parts:
        assert part in latex, latex
