"""Rows of an ``align`` labelled with text words (a problem statement: ``\\text{given}``,
``\\text{w.r.t.}``, ``\\text{s.t.}``), typeset here with pdflatex (skips without it) at a
line spread of 1.25, in Computer Modern and in Century Schoolbook with Fourier math
(fouriernc).

TeX sets the rows of an ``align`` at ``\\baselineskip`` plus ``\\jot``, whatever their
fonts' boxes. Century Schoolbook's boxes hug its letters (1.05 em tall, Computer Modern's
1.15 em) and fouriernc takes math letters from it, so the box gap between two such rows
passed the 0.6 em a display's lines may be apart: every row was a block of its own, only
the numbered one read as a display and the others were lost; with more leading than
``article``'s (1.25, one and a half spacing) so too in Computer Modern. A row whose baseline is at
most half an em further down than the paragraph's line pitch continues the display
(``_blocks._next_row``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest import read_tex_equations
from scipix_search.math import as_tokens
from tests.factories import typeset_displays

_PROSE = (
    "The problem is stated in the usual form, with the data that are given first, the "
    "objective next and the constraints last, so that a reader sees at once what is "
    "known, what is sought and what must hold at the optimum. For the two coupled "
    "disciplines of the example it reads as follows.\n"
)
_ROWS = [
    [
        r"\text{given} & \ \ y_1 = D_1(x_1, y_2, z_1, z_2)",
        r" & \ \ y_2 = D_2(y_1, z_1, z_2)",
        r"\text{w.r.t.} & \ \ x_1, y_1, y_2, z_1, z_2",
        r"\text{s.t.} & \ \ G_1(y_1) \geq 0",
        r" & \ \ G_2(y_2) \geq 0",
    ],
    [
        r"\text{given} & \ \ u_1 = E_1(v_1, u_2, w)",
        r" & \ \ u_2 = E_2(u_1, w)",
        r"\text{w.r.t.} & \ \ v_1, u_1, u_2, w",
        r"\text{s.t.} & \ \ H(u_1, u_2) = 0",
    ],
]


@pytest.mark.parametrize("font", ["cm", "fouriernc"])
def test_text_labelled_rows_stay_one_display(tmp_path: Path, font: str) -> None:
    # a little more leading than ``article``'s (as in many journal classes, or one and a
    # half spacing): the rows' box gap then passes 0.6 em in either font
    body = "\\linespread{1.25}\\selectfont\n" + "".join(
        _PROSE + "\\begin{align}\n" + " \\notag \\\\\n".join(rows) + "\n\\end{align}\n"
        for rows in _ROWS
    )
    regions = typeset_displays(tmp_path / "pitch.tex", body, font)
    source = [tuple(as_tokens(e.latex)) for e in read_tex_equations(tmp_path / "pitch.tex")]
    read = {tuple(as_tokens(row.latex)) for r in regions for row in r.rows}
    # one display per align, every row read from it
    assert len(regions) == len(_ROWS), [r.latex for r in regions]
    found = [s for s in source if s in read]
    assert len(found) >= 0.9 * len(source), (sorted(read), source)
