"""An ``align*`` in a two-column page whose first row is too wide to stand in from the margin,
in a math setup that takes its letters from the text italic (Iwona, typeset here with
pdflatex; skips without it or without ``iwona.sty``).

The first row starts with ``\\biggl(\\frac{d^2}{dr^2}``: MuPDF gives the big parenthesis and
the numerator one line, which then did not lie within its fraction bar, and a line of text
italic letters alone never starts a display; the second row stands in from the margin,
lined up with the first at ``=``. Both rows are one display.
"""

from __future__ import annotations

from pathlib import Path

from scipix_search.ingest import find_equation_regions
from scipix_search.math import as_tokens
from tests.factories import require_tex_file, typeset

_PROSE = (
    "In the limit of a weak coupling the two sectors decouple, and the result of the "
    "previous section carries over to the present case without change. "
)
_ROWS = (
    "\\biggl( {\\frac{d^{2}}{dr^{2}}} + {\\frac{1}{4r^{2}}} + k^{2} \\biggr) u(k, r) &= 0 , \\\\\n"
    "(\\Theta , I\\Theta) : &= \\int d^{4}x \\Theta_{\\mu\\nu}(x) I_{\\mu\\nu\\rho\\sigma}"
    " \\Theta_{\\rho\\sigma}(x) ."
)


def test_a_wide_first_row_and_its_aligned_row_are_one_display(tmp_path: Path) -> None:
    require_tex_file("iwona.sty")
    body = f"{_PROSE * 4}The solution is given by\n\\begin{{align*}}\n{_ROWS}\n\\end{{align*}}\n"
    tex = typeset(
        tmp_path / "doc.tex",
        "\\documentclass[twocolumn]{article}\n\\usepackage{amsmath}\n"
        "\\usepackage[T1]{fontenc}\n\\usepackage[math]{iwona}\n\\pagestyle{empty}\n"
        f"\\begin{{document}}\n{body}{_PROSE * 12}\n\\end{{document}}\n",
    )
    (region,) = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    assert len(region.row_latex) == 2
    first, second = (as_tokens(row) for row in region.row_latex)
    assert "\\frac" in first and "u" in first
    assert "\\int" in second and "\\Theta" in second
