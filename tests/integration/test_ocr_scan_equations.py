"""Scanned pages: display equations detected, read into LaTeX and kept out of the passages.

The scans are the committed fixture ``display_math.pdf`` rendered to images (a page image, and
an image-only PDF of both pages); the born-digital PDF's own regions are the truth for boxes.
"""

from __future__ import annotations

import io
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from scipix_search.config import Settings
from scipix_search.eval import display_boxes, match_boxes
from scipix_search.ingest import ParsedEquation, parse_image
from scipix_search.pipeline import Models
from scipix_search.pipeline._parse import parse_pdf_input
from tests.factories import require_page_models

pytestmark = [pytest.mark.model, pytest.mark.slow]

PDF = Path(__file__).resolve().parents[1] / "fixtures" / "pdf" / "display_math.pdf"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Models:
    require_page_models()
    return Models(Settings(data_dir=tmp_path_factory.mktemp("data"), pdf_equation_ocr="on"))


def _page_image(dpi: int) -> Image.Image:
    with pymupdf.open(PDF) as document:
        pixmap = document[0].get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB)
    return Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)


def _assert_displays_on_both_pages(ocr: list[ParsedEquation]) -> None:
    """The fixture's two pages scanned: equations on both, and most of the born-digital
    display regions found (boxes in PDF points of the page)."""
    assert {e.page for e in ocr} == {1, 2}
    truth = display_boxes(PDF)
    matched = sum(
        match_boxes(truth.get(page - 1, []), [e.bbox for e in ocr if e.page == page and e.bbox])
        for page in (1, 2)
    )
    assert matched >= 0.6 * sum(len(boxes) for boxes in truth.values())


def test_page_image_equations_are_read_and_left_out_of_passages(models: Models) -> None:
    image = _page_image(150)
    recognizers = {
        "latex_recognizer": models.latex_recognizer,
        "text_recognizer": models.text_recognizer,
    }
    plain = parse_image(image, "page.png", "0" * 64, **recognizers)
    doc = parse_image(
        image, "page.png", "0" * 64, formula_detector=models.formula_detector, **recognizers
    )
    assert plain.equations == []
    assert doc.equations and all(e.origin == "ocr" and e.page == 1 for e in doc.equations)
    truth = [tuple(v * 150 / 72 for v in box) for box in display_boxes(PDF)[0]]
    found = [e.bbox for e in doc.equations if e.bbox is not None]
    assert match_boxes(truth, found) >= 0.6 * len(truth)
    assert any("tridiag" in e.latex for e in doc.equations)
    # The equations' own text lines (read as garbled prose without the detector) are gone,
    # and the prose is still there.
    plain_text = " ".join(p.text for p in plain.passages)
    text = " ".join(p.text for p in doc.passages)
    # (measured: RapidOCR reads the eigenvalue display as "... h2 2(N + 1)")
    assert "N + 1" in plain_text and "N + 1" not in text
    assert "Fourier" in text and 0.6 * len(plain_text) < len(text) < len(plain_text)


def test_image_only_pdf_equations_in_points_on_their_pages(models: Models) -> None:
    scan = pymupdf.open()
    with pymupdf.open(PDF) as document:
        for page in document:
            png = page.get_pixmap(dpi=150).tobytes("png")
            scan.new_page(width=page.rect.width, height=page.rect.height).insert_image(
                page.rect, stream=png
            )
    data = scan.tobytes()
    parsed = parse_pdf_input(data, "scan.pdf", "1" * 64, settings=models.settings, models=models)
    _assert_displays_on_both_pages([e for e in parsed.equations if e.origin == "ocr"])
    assert [e.order for e in parsed.equations] == list(range(len(parsed.equations)))


def test_convert_reads_a_scanned_page_as_ingestion_stores_it(models: Models) -> None:
    """``convert --to md`` of an image-only PDF sets the same display LaTeX as ingestion
    stores: the page levelled, the text lines handed to the display rules and the crops
    scaled by the page's prose (convert once ran the detector alone)."""
    from scipix_search.ingest import markdown_displays
    from scipix_search.pipeline import convert_to_markdown

    scan = pymupdf.open()
    with pymupdf.open(PDF) as document:
        page = document[0]
        png = page.get_pixmap(dpi=150).tobytes("png")
        scan.new_page(width=page.rect.width, height=page.rect.height).insert_image(
            page.rect, stream=png
        )
    data = scan.tobytes()
    parsed = parse_pdf_input(data, "scan.pdf", "2" * 64, settings=models.settings, models=models)
    # the displays (the lines of math outside them are stored as inline math, not set apart)
    stored = [e.latex for e in parsed.equations if e.origin == "ocr" and e.display]
    markdown = convert_to_markdown(data, "scan.pdf", settings=models.settings, models=models)
    converted = [latex for rows in markdown_displays(markdown) for latex in rows]
    assert stored and converted == stored


def test_multi_page_tiff_is_read_page_by_page(models: Models) -> None:
    """A multi-page TIFF (as office scanners write a paper) is ingested as its pages: each
    page's displays found, in PDF points of a page at the file's resolution."""
    from scipix_search.pipeline._parse import parse_input

    pages = []
    with pymupdf.open(PDF) as document:
        for page in document:
            pixmap = page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY)
            pages.append(Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples))
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:], dpi=(150, 150))
    parsed = parse_input(
        buffer.getvalue(), "scan.tif", "3" * 64, settings=models.settings, models=models
    )
    assert len(parsed.pages) == len(pages) == 2
    _assert_displays_on_both_pages([e for e in parsed.equations if e.origin == "ocr" and e.display])
    assert any("Fourier" in p.text for p in parsed.passages)
