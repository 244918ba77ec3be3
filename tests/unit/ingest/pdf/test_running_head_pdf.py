"""A running head set wider than the text block, typeset here with pdflatex (the tests skip
without it or without the class).

tufte-handout sets its text ragged right in a narrow block and its running head across the
text and the margin-note column. Taken for the column's right margin, the head moved the
column's middle far right of the text's, so a short unnumbered display, centred in the text,
looked off-centre and was dropped.
"""

from __future__ import annotations

from pathlib import Path

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.math import as_tokens
from tests.factories import require_tex_file, typeset

_DISPLAYS = [
    "( S , S ) _ { \\Delta } = i k [ \\Delta , S ] ,",
    "\\alpha _ { i } = [ A _ { i 0 } , A _ { i 1 } , \\ldots , A _ { i r } ] .",
    "\\omega _ { q - 1 } = \\bar { \\omega } _ { q - 1 } ,",
]
_PROSE = (
    "In the limit of a weak coupling the two sectors decouple, and the result of the "
    "previous section carries over to the present case without change. "
)


def test_short_displays_under_a_wide_running_head_are_found(tmp_path: Path) -> None:
    require_tex_file("tufte-handout.cls")
    body = "".join(f"{_PROSE * 2}We obtain\n\\[\n{d}\n\\]\n" for d in _DISPLAYS)
    tex = typeset(
        tmp_path / "head.tex",
        "\\documentclass{tufte-handout}\n\\usepackage{amsmath}\n"
        "\\title{On the leading operator of the expansion}\\author{Alex Author}\n\\begin{document}\n\\maketitle\n"
        f"{_PROSE * 12}\n\\clearpage\n{body}for every mode of the spectrum.\n\\end{{document}}\n",
    )
    source = [tuple(as_tokens(e.latex)) for e in read_tex_equations(tex) if e.display]
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    assert len(source) == len(_DISPLAYS)
    assert [tuple(as_tokens(r.latex)) for r in regions if r.page == 2] == source
