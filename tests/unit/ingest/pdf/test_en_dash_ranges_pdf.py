"""An en dash in prose is no inline math, typeset here with pdflatex in Computer Modern and
in Times (newtxmath): the reader takes an en dash inside math for a minus (mathastext and
newtx print some minus signs so), but page and number ranges in sentences and references
(``pp.~183--200``) set the same character in the text font, and a range is no formula."""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions
from scipix_search.math import as_tokens
from tests.factories import math_font_preamble, typeset_article

BODY = (
    "The bound of $x_i^2 + y_i \\leq c$ was shown in pp.~183--200 of the first volume and "
    "again in pages 1369--1382 of the second, for the years 1998--2004. "
    "A weaker form, $a - b \\geq 0$, appears in chapters 3--5, and the Smith--Jones "
    "estimate holds for all $n \\geq 2$.\n\n"
)


@pytest.mark.parametrize("font", ["cm", "newtx"])
def test_number_ranges_in_prose_are_no_inline_math(tmp_path: Path, font: str) -> None:
    pdf = typeset_article(tmp_path / "doc.tex", BODY, math_font_preamble(font)).with_suffix(".pdf")
    read = [r.latex for r in find_equation_regions(pdf, render=False, inline=True)]
    wanted = {tuple(as_tokens(s)) for s in ("x_i^2 + y_i \\leq c", "a - b \\geq 0", "n \\geq 2")}
    assert wanted <= {tuple(as_tokens(latex)) for latex in read}
    assert [latex for latex in read if tuple(as_tokens(latex)) not in wanted] == []
