"""The last page of a two-column paper, typeset here with pdflatex (the tests skip without it).

Where the right column holds only a few lines beside a full left one, the column split saw
too few prose lines on the right and read the page as one column: a display of the left
column merged with the prose beside it. Almost no prose line of a two-column page crosses
the middle, where nearly every line of a one-column page does.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.math import as_tokens
from tests.factories import typeset

_DISPLAYS = [
    "\\Delta ( B - L ) = 0 , \\quad \\Delta ( B + L ) = 2 N Q ,",
    "c _ { 1 } = \\int d \\theta \\rho _ { 0 } ( \\theta ) \\cos \\theta",
    "Z = \\frac { d _ { I } d _ { J } } { | G | } \\sum _ { m = 0 } ^ { N - 1 } \\chi _ { m } ,",
]
_PROSE = (
    "In the limit of a weak coupling the two sectors decouple, and the result of the "
    "previous section carries over to the present case without change. "
)


def test_displays_beside_a_short_right_column_stay_apart(tmp_path: Path) -> None:
    body = "".join(
        f"{_PROSE}\n\nWe obtain\n\\begin{{equation*}}\n{d}\n\\end{{equation*}}\n" for d in _DISPLAYS
    )
    tex = typeset(
        tmp_path / "short.tex",
        "\\documentclass[twocolumn]{article}\n\\usepackage{amsmath}\n\\pagestyle{empty}\n"
        f"\\begin{{document}}\n{_PROSE * 3}\n{body}{_PROSE * 8}\n\\end{{document}}\n",
    )
    source = [tuple(as_tokens(e.latex)) for e in read_tex_equations(tex) if e.display]
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    assert len(source) == len(_DISPLAYS)
    with pymupdf.open(tex.with_suffix(".pdf")) as doc:  # one page: a full column, a short one
        assert doc.page_count == 1
    assert [tuple(as_tokens(r.latex)) for r in regions] == source
