"""``scipix-search ocr PAGE.png --format json``: the page's lines and its display equations.

The page is the committed fixture ``display_math.pdf`` rendered at 150 dpi; its source
``display_math.tex`` says what each equation is.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pymupdf
import pytest

from scipix_search.config import Settings
from scipix_search.eval import display_boxes, match_boxes
from scipix_search.ingest import read_tex_equations
from scipix_search.math import token_similarity
from tests.factories import require_page_models

pytestmark = [pytest.mark.model, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
DPI = 150


@pytest.fixture(scope="module")
def page_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_page_models()
    path = tmp_path_factory.mktemp("page") / "page.png"
    with pymupdf.open(FIXTURES / "display_math.pdf") as document:
        document[0].get_pixmap(dpi=DPI).save(path)
    return path


def test_ocr_json_lists_equations_beside_the_lines(
    page_png: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scipix_search.cli import ocr as ocr_cli

    parser = argparse.ArgumentParser()
    ocr_cli.register(parser.add_subparsers())
    args = parser.parse_args(["ocr", str(page_png), "--format", "json"])
    assert args.func(args) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"file", "lines", "equations", "time_ms"} <= record.keys()
    assert any("heat" in line["text"] for line in record["lines"])
    equations = record["equations"]
    assert equations and all(
        {"bbox", "confidence", "latex", "latex_confidence", "parses"} <= e.keys() for e in equations
    )
    # Boxes: most of the page's text-layer regions are found (IoU >= 0.5).
    truth = [
        tuple(v * DPI / 72 for v in box) for box in display_boxes(FIXTURES / "display_math.pdf")[0]
    ]
    found = [tuple(e["bbox"]) for e in equations]
    assert match_boxes(truth, found) >= 0.6 * len(truth)
    # LaTeX: each source equation of the page is read by some crop (measured: 4 of the 5
    # single-row ones at >= 0.8; the align rows are boxed together and read as an array).
    source = [e.latex for e in read_tex_equations(FIXTURES / "display_math.tex")]
    best = [max(token_similarity(e["latex"], s) for s in source) for e in equations]
    assert sum(score >= 0.8 for score in best) >= 3, best
    # A row names its display, listed before it.
    assert all(e["row_of"] is None or e["row_of"] < k for k, e in enumerate(equations))


def test_ocr_json_reads_a_page_as_ingestion_does(
    page_png: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The page's equations are those ingestion stores for the same image: the same boxes
    (levelled page, displays set right by the lines, multi-row displays and their rows) and
    the same LaTeX (crops scaled by the page's prose, read in one batch). The page is set
    askew by a degree, as a scan is: both level it before reading."""
    from PIL import Image

    askew = page_png.with_name("askew.png")
    with Image.open(page_png) as image:
        image.convert("RGB").rotate(1.0, fillcolor=(255, 255, 255)).save(askew)
    page_png = askew

    from scipix_search.cli import ocr as ocr_cli
    from scipix_search.ingest import parse_image
    from scipix_search.ocr import deskew
    from scipix_search.pipeline import Models

    parser = argparse.ArgumentParser()
    ocr_cli.register(parser.add_subparsers())
    args = parser.parse_args(["ocr", str(page_png), "--format", "json"])
    assert args.func(args) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    models = Models(Settings())
    with Image.open(page_png) as image:
        stored = parse_image(
            image,
            page_png.name,
            "0" * 64,
            latex_recognizer=models.latex_recognizer,
            text_recognizer=models.text_recognizer,
            formula_detector=models.formula_detector,
            upright=lambda pixels: deskew(pixels)[0],
        ).equations
    assert stored
    assert [(e["latex"], e["bbox"]) for e in record["equations"]] == [
        (e.latex, list(e.bbox or ())) for e in stored
    ]
