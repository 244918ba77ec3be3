"""A scanned display's equation rows, found on its ink, as the born-digital path finds them.

A typeset page with displays of one row and of several (``align`` rows, ``split``
continuation rows) and with displays whose ink stacks without being rows (a matrix, a
``cases``, a sum's limits, a fraction): rendered clean and as a degraded scan at 200 dpi,
each display's box (the PDF's own region) is cut into rows by
:func:`~scipix_search.ocr._rows.display_rows` from the page's ink and its text lines
(the text layer's lines standing in for the OCR's). The rows must agree with the rows the
born-digital reader gives the same region.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf

from scipix_search.eval import scan_pdf, text_layer_lines
from scipix_search.ingest import render_page
from scipix_search.ingest.pdf import find_equation_regions
from scipix_search.ocr import deskew
from scipix_search.ocr._geometry import _line_height
from scipix_search.ocr._rows import display_rows
from tests.factories import typeset_article

BODY = r"""
The three quantities of the model are related by
\begin{align}
u &= a x + b y , \\
v &= \frac{c}{d} x - e y^{2} , \\
w &= \sum_{k=1}^{n} \alpha_{k} x_{k} .
\end{align}
and, unnumbered, their rates
\begin{align*}
\dot{u} &= a \dot{x} + b \dot{y} , \\
\dot{v} &= c \dot{x} - 2 e y \dot{y} , \\
\dot{w} &= \alpha_{1} \dot{x}_{1} + \alpha_{2} \dot{x}_{2} .
\end{align*}
The whole energy is split into its parts as
\begin{equation}
\begin{split}
E &= \int_{0}^{1} \left( u^{2} + v^{2} \right) dt \\
  &\quad + \lambda \int_{0}^{1} w^{2} \, dt + \mu \sum_{j=1}^{m} c_{j}^{2} .
\end{split}
\end{equation}
The state and its input obey
\begin{equation}
\begin{bmatrix} x \\ u \end{bmatrix} = \begin{bmatrix} A & B \\ C & D \end{bmatrix}
\begin{bmatrix} x_{0} \\ w \end{bmatrix} ,
\end{equation}
and the sign of the response is
\begin{equation}
f(t) = \begin{cases} 1 & t \geq 0 , \\ -1 & t < 0 , \end{cases}
\end{equation}
while the mean over the sample is
\begin{equation}
\bar{x} = \frac{1}{N} \sum_{i=1}^{N} \frac{x_{i}^{2}}{\sigma_{i}^{2} + \epsilon} .
\end{equation}
"""


def _rows_found(pixels: np.ndarray, page: pymupdf.Page, regions: list) -> list[tuple[int, int]]:
    """(rows found on the ink, rows of the born-digital region) per display."""
    scale = 200 / 72
    lines = text_layer_lines(page, 200)
    grey = pixels.mean(axis=2)
    height = _line_height(lines)
    out = []
    for region in regions:
        box = tuple(v * scale for v in region.bbox)
        rows = display_rows(box, grey, height, lines)  # type: ignore[arg-type]
        out.append((len(rows), max(1, len(region.rows))))
    return out


def test_display_rows_agree_with_the_born_digital_rows(tmp_path: Path) -> None:
    pdf = typeset_article(tmp_path / "rows.tex", BODY).with_suffix(".pdf")
    regions = [r for r in find_equation_regions(pdf, render=False) if r.display]
    truth = [max(1, len(r.rows)) for r in regions]
    # the page holds both kinds: displays read row by row and displays read whole
    assert any(n > 1 for n in truth) and sum(n == 1 for n in truth) >= 3
    with pymupdf.open(pdf) as document:
        clean = _rows_found(render_page(document[0], 200), document[0], regions)
        scan = scan_pdf(pdf, [0], 200, seed=7, skew=1.0)
        with pymupdf.open(stream=scan) as scanned:
            pixels = render_page(scanned[0], 200)
        degraded = _rows_found(deskew(pixels)[0], document[0], regions)
    assert [found for found, _ in clean] == truth
    assert [found for found, _ in degraded] == truth
