"""A display on a page whose prose is mostly small print, typeset here with pdflatex (the
test skips without it).

The row logic measured glyph sizes against the page's body size, the median size of its
prose lines. On a page filled with a table's or a figure's small print that is the small
size, and a superscript of the formula's own text size reached it: the superscript was a
row of its own (``\\mathsf{T} \\\\ Y = H A X + W``). The formula's own text size counts
where it is the larger.
"""

from __future__ import annotations

import pytest

from scipix_search.ingest import find_equation_regions
from scipix_search.math import as_tokens
from tests.factories import typeset

_DISPLAY = r"\mathbf{Y} = \mathbf{H}^{\mathsf{T}} \mathbf{A} \mathbf{X} + \mathbf{W}^{T},"
_SMALL = (
    "{\\scriptsize "
    + " ".join(
        [
            "The measured values of the coupling in each run are listed in the table below, with "
            "their errors and the number of events that passed the cuts."
        ]
        * 12
    )
    + "\\par}\n"
)


@pytest.mark.parametrize("points", ["10pt", "12pt"])
def test_superscripts_stay_on_their_row(
    tmp_path_factory: pytest.TempPathFactory, points: str
) -> None:
    tex = typeset(
        tmp_path_factory.mktemp(f"small-{points}") / "small.tex",
        f"\\documentclass[{points}]{{article}}\n\\usepackage{{amsmath,amssymb}}\n"
        "\\pagestyle{empty}\n\\begin{document}\n" + _SMALL + "The model is then\n"
        f"\\begin{{equation}}\n{_DISPLAY}\n\\end{{equation}}\nwith noise.\n"
        + _SMALL
        + "\\end{document}\n",
    )
    regions = [r for r in find_equation_regions(tex.with_suffix(".pdf"), render=False) if r.display]
    assert [as_tokens(r.latex) for r in regions] == [as_tokens(_DISPLAY)]
