"""Words set in a display row after its math, typeset here with pdflatex (the tests skip
without it).

An ``align`` whose second column holds a condition in words
(``\\text{(for each $x, y \\in \\mathbb{Q}$ such that $x < y$)}``) prints lines that count
as prose by their words; the math beside them was then taken for inline math and the whole
display was lost. A paragraph line starts at the margin, a display row is set in from it:
such words belong to the display.
"""

from __future__ import annotations

import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.math import as_tokens, token_similarity
from tests.factories import typeset

_ROWS = [
    r"\alpha_y \vdash \alpha_x && \text{(for each $x, y \in \mathbb{Q}$ such that $x < y$)}",
    r"\beta_x \vdash \beta_y && \text{(for each $x, y \in \mathbb{Q}$ such that $x < y$)}",
    r"\alpha_x \wedge \beta_y \vdash \bot && \text{(for each $x, y \in \mathbb{Q}$ such that"
    r" $x \geq y$)}",
    r"\top \vdash \alpha_x \vee \beta_y && \text{(whenever $x < y$ holds in the rationals)}",
]
_PROSE = (
    "The theory of the reals has nullary relation symbols for each rational number and the "
    "axioms listed below, which say that the two families are ordered as the rationals are "
    "and that together they cover every case that can arise. "
)


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list, list[str]]:
    tex = typeset(
        tmp_path_factory.mktemp("cells") / "cells.tex",
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\pagestyle{empty}\n"
        "\\begin{document}\n"
        + _PROSE * 2
        + "\n\\begin{align*}\n"
        + " \\\\\n".join(_ROWS)
        + "\n\\end{align*}\n"
        + _PROSE * 2
        + "\n\\end{document}\n",
    )
    source = [e.latex for e in read_tex_equations(tex) if e.display]
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    latex = [row.latex for r in regions for row in r.rows] + [r.latex for r in regions]
    return source, regions, latex


def test_rows_with_words_after_their_math_are_read(read: tuple[list[str], list, list[str]]) -> None:
    source, _, latex = read
    assert len(source) == len(_ROWS)
    for row in source:
        best = max((token_similarity(as_tokens(row), as_tokens(c)) for c in latex), default=0.0)
        assert best >= 0.8, (row, latex)


def test_paragraph_lines_stay_prose(read: tuple[list[str], list, list[str]]) -> None:
    _, regions, _ = read
    assert len(regions) == 1
    assert "theory" not in regions[0].text and "rationals are" not in regions[0].text
