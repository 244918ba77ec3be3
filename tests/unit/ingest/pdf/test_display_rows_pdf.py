"""Display rows read from a real pdflatex PDF in Fourier (``tests/fixtures/pdf/display_rows.tex``).

Fourier takes its math letters from the Utopia text italic and gives big operators and
radicals baselines of their own; the fixture also has a paragraph line with an inline
integral right under a display, and scripts set side by side (``C^a_{bc}``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations, regions_to_equations
from scipix_search.math import as_tokens

FIXTURE = Path(__file__).parents[3] / "fixtures" / "pdf" / "display_rows"


@pytest.fixture(scope="module")
def read() -> list[str]:
    regions = find_equation_regions(FIXTURE.with_suffix(".pdf"), render=False)
    return [e.latex for e in regions_to_equations(regions)]


def _source(start: str) -> str:
    rows = [e.latex for e in read_tex_equations(FIXTURE.with_suffix(".tex")) if e.display]
    return next(latex for latex in rows if latex.startswith(start))


@pytest.mark.parametrize(
    "start",
    [
        "x^{\\pm}",  # the paragraph line under it, with its integral, stays out
        "\\sigma A",  # the rest of the line after 1/2 is Utopia italic only; C^a_{bc}
        "S =",  # the integral's top and the numerator are no row of their own
    ],
)
def test_display_row_is_read_exactly(read: list[str], start: str) -> None:
    source = tuple(as_tokens(_source(start)))
    assert source in {tuple(as_tokens(latex)) for latex in read}


def test_no_paragraph_text_in_a_display(read: list[str]) -> None:
    assert not any("fixed" in latex or "\\cos" in latex for latex in read)
