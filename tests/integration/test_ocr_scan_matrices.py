"""Matrices on a scanned page read cell by cell: closer to their source than the model's read.

A typeset page of matrix displays (column vectors, square and wide matrices between brackets,
parentheses and bars, an ``array`` between ``\\left[ \\right]``) and of displays with no
matrix, scanned at 200 dpi, cropped at the PDF's own regions and read as a page scan's crops
are read (one batch, the prose lines' ruler). The same crops are read again with the cell
reading off (no cells' line drawn): the matrix displays must read closer to their source
with it, and the displays without a matrix exactly as without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pymupdf
import pytest

from scipix_search.config import Settings
from scipix_search.eval import scan_pdf, text_layer_lines
from scipix_search.exceptions import MissingDependencyError
from scipix_search.ingest import crop_box, prose_crops, render_page
from scipix_search.ingest.pdf import find_equation_regions
from scipix_search.math import token_similarity
from scipix_search.ocr import LatexRecognizer, build_formula_model, deskew
from tests.factories import typeset_article

pytestmark = [pytest.mark.model, pytest.mark.slow]

DPI = 200

MATRICES = [
    r"r = \begin{bmatrix} \xi \\ \eta \end{bmatrix} + \begin{bmatrix} c_{1} \\ c_{2} \\ c_{3} \end{bmatrix} ,",
    r"P = \begin{pmatrix} 1 & 0 \\ 0 & -1 \end{pmatrix} ,",
    r"B = \begin{bmatrix} a & b & c \\ d & e & f \end{bmatrix} ,",
    r"\Delta = \begin{vmatrix} m & n \\ k & l \end{vmatrix} ,",
    r"z = \left[ \begin{array}{c} s \\ h \end{array} \right] ,",
]
PLAIN = [
    r"E = \frac{1}{2} m v^{2} + \sum_{i=1}^{n} q_{i} ,",
    r"h = \left( \frac{x + y}{z} \right)^{2} ,",
]


@pytest.fixture(scope="module")
def recognizer() -> LatexRecognizer:
    try:
        model_dir = build_formula_model(Settings().model_dir)
    except MissingDependencyError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))
    return LatexRecognizer(model_dir)


def test_matrix_cells_read_closer_to_the_source(
    recognizer: LatexRecognizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "".join(
        f"Here is the display number {k} of the page, set in its own paragraph:\n"
        f"\\begin{{equation*}}\n{latex}\n\\end{{equation*}}\n"
        for k, latex in enumerate(MATRICES + PLAIN)
    )
    pdf = typeset_article(tmp_path / "page.tex", body).with_suffix(".pdf")
    regions = [r for r in find_equation_regions(pdf, render=False) if r.display]
    assert len(regions) == len(MATRICES + PLAIN)
    with (
        pymupdf.open(pdf) as document,
        pymupdf.open(stream=scan_pdf(pdf, [0], DPI, seed=5, skew=1.0)) as scan,
    ):
        pixels = deskew(render_page(scan[0], DPI))[0]
        prose = prose_crops(pixels, text_layer_lines(document[0], DPI))
    scale = DPI / 72
    crops = [crop_box(pixels, tuple(v * scale for v in r.bbox)) for r in regions]  # type: ignore[arg-type]
    cells = recognizer.batch(crops, same_document=True, prose=prose)
    monkeypatch.setattr("scipix_search.ocr._recognizer.LINE_STYLES", ())
    whole = recognizer.batch(crops, same_document=True, prose=prose)
    source = MATRICES + PLAIN
    with_cells = [token_similarity(r.latex, s) for r, s in zip(cells, source, strict=True)]
    without = [token_similarity(r.latex, s) for r, s in zip(whole, source, strict=True)]
    n = len(MATRICES)
    gained = sum(a > b for a, b in zip(with_cells[:n], without[:n], strict=True))
    lost = sum(a < b for a, b in zip(with_cells[:n], without[:n], strict=True))
    assert sum(with_cells[:n]) / n >= sum(without[:n]) / n + 0.1, (with_cells, without)
    assert gained >= 0.4 * n and lost <= 0.2 * n, (with_cells, without)
    assert [r.latex for r in cells[n:]] == [r.latex for r in whole[n:]]
