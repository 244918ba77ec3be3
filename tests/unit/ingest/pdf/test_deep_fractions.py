"""Rows under a deep denominator, read from a pdflatex fixture
(``tests/fixtures/pdf/deep_fractions.tex``).

A display-style denominator with scripts (``k_0^2 - (k_1 - k_c)^2``) is so deep that TeX keeps
only ``\\lineskip`` between it and the next row of an ``align*``: the denominator's subscripts
then sit nearer to the next row's baseline than to their own row's. They belong to the row of
their fraction bar; before, the ``0`` of ``k_0`` became a superscript of the next row and the
two rows were read as one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations, regions_to_equations
from scipix_search.math import as_tokens

FIXTURE = Path(__file__).parents[3] / "fixtures" / "pdf" / "deep_fractions"


@pytest.fixture(scope="module")
def read() -> set[tuple[str, ...]]:
    regions = find_equation_regions(FIXTURE.with_suffix(".pdf"), render=False)
    return {tuple(as_tokens(e.latex)) for e in regions_to_equations(regions)}


def _source() -> list[str]:
    return [e.latex for e in read_tex_equations(FIXTURE.with_suffix(".tex")) if e.display]


def test_fixture_has_the_rows() -> None:
    assert len(_source()) == 5


@pytest.mark.parametrize("index", range(5))
def test_each_row_is_read_exactly(read: set[tuple[str, ...]], index: int) -> None:
    assert tuple(as_tokens(_source()[index])) in read
