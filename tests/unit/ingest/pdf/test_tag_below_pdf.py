"""An equation number that amsmath sets below its row, typeset here with pdflatex (the tests
skip without it).

A row too wide for its tag beside it (within ``\\mintagsep`` of it) gets the tag flush right
on a line of its own under the row. Cutting an ``align`` between the heights of its numbers
then cut inside the next row: the numerator of its fraction went to the row above. Each
number must come out with the whole row it belongs to.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.math import as_tokens
from tests.factories import typeset

_WIDE = (
    "H_{0} &= i \\int_{0}^{\\infty} d p \\, p \\left[ a^{\\dagger}(p) b(p) "
    "- b^{\\dagger}(p) a(p) + c^{\\dagger}(p) d(p) \\right] , \\\\\n"
)
_ROWS = [
    "E_{0} &= \\frac{1}{2} \\sum_{k} \\omega_{k} , \\\\\n",
    "\\langle b , g \\rangle &= - i \\oint \\frac{d z}{2 \\pi i} b(z) g(z) + t a , \\\\\n",
    "Z &= \\frac{1}{N} \\sum_{n} e^{- \\beta E_{n}} .\n",
]


def _typeset(tmp: Path, rows: list[str]) -> Path:
    return typeset(
        tmp / "tags.tex",
        "\\documentclass[twocolumn]{article}\n\\usepackage{amsmath}\n"
        "\\pagestyle{empty}\n\\begin{document}\n"
        "In the limit of a weak coupling the two sectors decouple, and the result of the "
        "previous section carries over to the present case without change. The free part "
        "of the Hamiltonian and the pairing read\n\\begin{align}\n"
        + "".join(rows)
        + "\\end{align}\nfor every mode of the spectrum, as stated in the introduction.\n"
        "\\end{document}\n",
    )


@pytest.mark.parametrize("wide", [0, 1, 2])
def test_number_under_a_too_wide_row_belongs_to_it(tmp_path: Path, wide: int) -> None:
    tex = _typeset(tmp_path, [*_ROWS[:wide], _WIDE, *_ROWS[wide:]])
    source = [tuple(as_tokens(e.latex)) for e in read_tex_equations(tex) if e.display]
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    read = {r.number: tuple(as_tokens(r.latex)) for r in regions}
    assert len(source) == 4
    assert read == {str(n): row for n, row in enumerate(source, start=1)}
