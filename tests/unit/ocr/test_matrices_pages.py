"""Matrices found on a formula crop's ink, as a typeset page draws them, clean and scanned.

A typeset page holds matrix displays (brackets, parentheses, bars, an ``array`` between
``\\left[ \\right]``; column vectors, a row of three, square ones) and displays whose ink also
stacks between tall delimiters without being a grid (a fraction between ``\\left( \\right)``, a
``cases``). Rendered clean and as a degraded scan at 200 dpi, each display's crop (the PDF's
own region, cut and prepared as the formula OCR prepares a crop) must give exactly its
matrices, each with its environment and its rows and columns, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from scipix_search.eval import scan_pdf, text_layer_lines
from scipix_search.ingest import crop_box, prose_crops, render_page
from scipix_search.ingest.pdf import find_equation_regions
from scipix_search.ocr import deskew
from scipix_search.ocr._matrices import (
    MatrixBlock,
    find_matrices,
    splice_matrices,
    split_cells,
)
from scipix_search.ocr._preprocess import prepare, prose_glyph_height
from tests.factories import typeset_article

DPI = 200

# each display with the matrices it holds, left to right: (environment, rows, columns)
DISPLAYS: list[tuple[str, list[tuple[str, int, int]]]] = [
    (r"v = \begin{bmatrix} a \\ b \\ c \end{bmatrix} ,", [("bmatrix", 3, 1)]),
    (
        r"M = \begin{pmatrix} \alpha & \beta & 0 \\ \gamma & \delta & 1 \end{pmatrix} ,",
        [("pmatrix", 2, 3)],
    ),
    (r"\det \begin{vmatrix} p & q \\ r & s \end{vmatrix} = p s - q r ,", [("vmatrix", 2, 2)]),
    (
        r"T = \left[ \begin{array}{cc} 1 & t \\ 0 & 1 \end{array} \right]"
        r" \begin{bmatrix} y_{1} \\ y_{2} \end{bmatrix} ,",
        [("bmatrix", 2, 2), ("bmatrix", 2, 1)],
    ),
    (r"g = \left( \frac{a + b}{c + d} \right)^{2} ,", []),
    (r"f(x) = \begin{cases} 0 & x < 0 , \\ x & x \geq 0 , \end{cases}", []),
]


def _body() -> str:
    parts = []
    for k, (latex, _) in enumerate(DISPLAYS):
        parts.append(f"Here is the display number {k} of the page, set in its own paragraph:\n")
        parts.append(f"\\begin{{equation*}}\n{latex}\n\\end{{equation*}}\n")
    return "".join(parts)


def _found(pixels: np.ndarray, page: pymupdf.Page, regions: list) -> list[list[MatrixBlock]]:
    scale = DPI / 72
    x_height = prose_glyph_height(prose_crops(pixels, text_layer_lines(page, DPI)))
    assert x_height is not None
    out = []
    for region in regions:
        crop = crop_box(pixels, tuple(v * scale for v in region.bbox))  # type: ignore[arg-type]
        prepared = prepare(Image.fromarray(crop))
        assert prepared is not None
        out.append(find_matrices(prepared.gray, x_height))
    return out


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    tmp = tmp_path_factory.mktemp("matrices")
    pdf = typeset_article(tmp / "matrices.tex", _body()).with_suffix(".pdf")
    regions = [r for r in find_equation_regions(pdf, render=False) if r.display]
    assert len(regions) == len(DISPLAYS)
    return pdf, regions


@pytest.mark.parametrize("scanned", [False, True], ids=["clean", "scan"])
def test_matrices_are_found_with_their_rows_and_columns(
    page: tuple[Path, list], scanned: bool
) -> None:
    pdf, regions = page
    with pymupdf.open(pdf) as document:
        if scanned:
            with pymupdf.open(stream=scan_pdf(pdf, [0], DPI, seed=11, skew=1.0)) as scan:
                pixels = deskew(render_page(scan[0], DPI))[0]
        else:
            pixels = render_page(document[0], DPI)
        found = _found(pixels, document[0], regions)
    for (latex, truth), blocks in zip(DISPLAYS, found, strict=True):
        shapes = [(b.env, len(b.cells), len(b.cells[0])) for b in blocks]
        assert shapes == truth, latex
        # every cell of the typeset matrices holds ink
        assert all(c is not None for b in blocks for row in b.cells for c in row), latex


def test_cells_are_split_from_a_line_read_or_not_at_all() -> None:
    assert split_cells(r"a_{1},a_{2},\frac{x}{2}", 3) == ["a_{1}", "a_{2}", r"\frac{x}{2}"]
    assert split_cells(r"x_{i,j},y", 2) == ["x_{i,j}", "y"]  # a comma in a script is no gap
    assert split_cells(r"a_{1}\qquad a_{2}", 2, "space") == ["a_{1}", "a_{2}"]
    assert split_cells(r"\begin{array}{cc}{1}&{0}\end{array}", 2) == ["1", "0"]
    assert split_cells(r"a,b", 3) is None  # a cell lost: no guess


def test_a_matrix_replaces_the_span_the_model_wrote_where_it_lies() -> None:
    column = MatrixBlock(60, 100, "bmatrix", [[(70, 0, 90, 10)], [(70, 20, 90, 30)]])
    latex = r"\begin{bmatrix} x \\ u \end{bmatrix}"
    # a row vector between brackets on the left is a span but no matrix found in the ink
    read = r"K=\left[k_{1}\quad k_{2}\right],v=\left[x\right]."
    assert splice_matrices(read, [(column, latex)], 100) == (
        r"K=\left[k_{1}\quad k_{2}\right],v=" + latex + "."
    )
    # the model's own grid of the same shape stays; nothing where no span lies near
    grid = r"v=\left[\begin{array}{c}x\\u\end{array}\right]"
    assert splice_matrices(grid, [(column, latex)], 100) == grid
    assert splice_matrices(r"\left[x\right]=v+w+y+z+a+b", [(column, latex)], 100) is None
    # parentheses around a two-row column are drawn as a binomial is; a sum's limits stack
    pair = MatrixBlock(60, 100, "pmatrix", [[(70, 0, 90, 10)], [(70, 20, 90, 30)]])
    for kept in (r"c=\binom{n}{k}", r"c=\left(\sum_{i=1}^{n}w_{i}\right)"):
        assert splice_matrices(kept, [(pair, r"\begin{pmatrix} n \\ k \end{pmatrix}")], 100) == kept


def test_a_sized_bracket_pair_is_a_span_as_a_left_right_pair_is() -> None:
    # the model writes a tall bracket pair as \biggl[ .. \biggr] as often as \left[ .. \right],
    # each delimiter in braces: the braces go with the span, so the splice stays balanced
    left = MatrixBlock(0, 40, "bmatrix", [[(10, 0, 30, 10)], [(10, 20, 30, 30)]])
    right = MatrixBlock(80, 140, "bmatrix", [[(90, 0, 130, 10)], [(90, 20, 130, 30)]])
    read = r"{\biggl[}{\frac{x}{u}}{\biggr]}={\biggl[}\Phi_{x}{\biggr]}\,w"
    x_u, phi = (
        r"\begin{bmatrix} x \\ u \end{bmatrix}",
        r"\begin{bmatrix} \Phi_x \\ \Phi_u \end{bmatrix}",
    )
    assert splice_matrices(read, [(left, x_u), (right, phi)], 170) == x_u + "=" + phi + r"\,w"
    # bare sizes pair by the delimiter after them; one size does not close another
    assert splice_matrices(r"a=\Big(\big(x\big)\Big)", [(right, x_u)], 170) == "a=" + x_u
    # a sized pair with no matrix in the ink near it is left alone
    column = MatrixBlock(60, 100, "bmatrix", [[(70, 0, 90, 10)], [(70, 20, 90, 30)]])
    assert splice_matrices(r"\Bigl[p\Bigr]=v+w+y+z+a+b+c+d", [(column, x_u)], 100) is None
