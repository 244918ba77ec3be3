"""On scans of real pages, the prose lines' glyph height is a steady share of the font size
(the formula OCR's ruler, ``PROSE_TO_FORMULA``); skips where ../shared is absent."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pymupdf
import pytest

from scipix_search.eval import paper_folders, scan_pdf, text_layer_lines
from scipix_search.ingest import prose_crops, render_page
from scipix_search.ocr import deskew
from scipix_search.ocr._preprocess import prose_glyph_height

DPI = 200


def _body_size(page: pymupdf.Page) -> float:
    """The font size most of the page's characters are set in, in points."""
    sizes: Counter[float] = Counter()
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                sizes[round(span["size"], 1)] += len(span["text"].strip())
    return sizes.most_common(1)[0][0]


@pytest.mark.shared
def test_prose_x_height_is_a_steady_share_of_the_font_size(shared_dir: Path) -> None:
    ratios = []
    for index, paper in enumerate(paper_folders(shared_dir / "papers")):
        with pymupdf.open(paper.pdf) as document:
            lines = text_layer_lines(document[0], DPI)
            body = _body_size(document[0])
        with pymupdf.open(stream=scan_pdf(paper.pdf, [0], DPI, seed=index)) as scan:
            pixels = deskew(render_page(scan[0], DPI))[0]
        height = prose_glyph_height(prose_crops(pixels, lines))
        assert height is not None, paper.name
        ratios.append(height / (body * DPI / 72))
    assert len(ratios) >= 10
    steady = sum(0.38 <= r <= 0.52 for r in ratios) / len(ratios)
    assert steady >= 0.9, sorted(round(r, 3) for r in ratios)
