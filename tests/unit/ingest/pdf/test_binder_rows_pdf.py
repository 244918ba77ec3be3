"""Rows of an ``alignat`` whose first column is empty, typing one binder each, are equation
rows of their own; typeset here with pdflatex (the tests skip without it).

``\\mathsf{Elim} : (P : \\mathsf{Ty}\\,\\Gamma)`` over ``(z : \\mathsf{Tm}\\,\\Gamma\\,P)`` over
``(s : ...)``: the rows hold no relation but the colon, which TeX sets as one
(``\\mathrel``), so they were read as one equation (or, with their column gaps, as a
``matrix``). The colon now counts as a relation where rows are split and where an array
cell is told from an equation. The rows also sit a little closer than 0.6 em where both
hold tall brackets; a row that starts where a row of the display starts continues it up to
0.9 em down.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.factories import typeset_displays

_HEADS = ["Elim", "Rec", "Ind", "Case", "Fold"]
_TYPES = ["Ty", "Tm", "El", "U"]
_PROSE = (
    "The eliminator is defined by recursion on the syntax, and each of its arguments below "
    "is checked against the typing rules of the object language before it is used, so that "
    "the staged program never gets stuck during evaluation; its type is "
)


def _binders(rng: random.Random) -> str:
    head = f"\\mathsf{{{rng.choice(_HEADS)}}}"
    args = rng.sample(["P", "z", "s", "t", "u"], 3)
    ty = [f"\\mathsf{{{rng.choice(_TYPES)}}}" for _ in range(4)]
    rows = [
        f"& {head} :\\hspace{{0.5em}} && ({args[0]} &&: {ty[0]}\\,\\Gamma)",
        f"& && ({args[1]} &&: {ty[1]}\\,\\Gamma\\,(P[n \\mapsto {ty[2]}]))",
        f"& && ({args[2]} &&: {ty[3]}\\,(\\Gamma \\triangleright n)\\,P)",
    ]
    return "\\begin{alignat*}{3}\n" + " \\\\\n".join(rows) + "\n\\end{alignat*}\n"


@pytest.mark.parametrize("font", ["cm", "newtx"])
def test_binder_rows_with_an_empty_first_column_are_rows(tmp_path: Path, font: str) -> None:
    rng = random.Random(4)
    n = 6
    body = "".join(_PROSE + "\n" + _binders(rng) for _ in range(n))
    displays = typeset_displays(tmp_path / "binders.tex", body, font)
    found = [r for r in displays if "\\triangleright" in r.latex or "\\lhd" in r.latex]
    assert len(found) >= 0.9 * n, [r.text for r in displays]
    # one display each, read row by row
    assert len(displays) <= 1.1 * n, [r.text for r in displays]
    assert sum(len(r.rows) == 3 for r in found) >= 0.9 * len(found), [
        [row.latex for row in r.rows] for r in found
    ]
