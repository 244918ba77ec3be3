"""Skew of scanned pages: the angle found on a real rendered page turned by known angles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from scipix_search.ingest import render_page
from scipix_search.ocr import deskew, estimate_skew

FIXTURE_PDF = Path(__file__).resolve().parents[2] / "fixtures" / "pdf" / "display_math.pdf"


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    with pymupdf.open(FIXTURE_PDF) as document:
        return render_page(document[0], 150)


def _turned(pixels: np.ndarray, angle: float) -> np.ndarray:
    white = 255 if pixels.ndim == 2 else (255, 255, 255)
    image = Image.fromarray(pixels).rotate(
        angle, resample=Image.Resampling.BICUBIC, fillcolor=white
    )
    return np.asarray(image)


@pytest.mark.parametrize("angle", [-2.8, -0.4, 0.6, 3.0])
def test_estimate_skew_finds_the_turn_of_a_page(page: np.ndarray, angle: float) -> None:
    assert estimate_skew(_turned(page, angle)) == pytest.approx(angle, abs=0.11)


def test_deskew_levels_a_turned_page_and_keeps_its_size(page: np.ndarray) -> None:
    turned = _turned(page, 1.2)
    upright, undone = deskew(turned)
    assert undone == pytest.approx(1.2, abs=0.11)
    assert upright.shape == turned.shape and upright.dtype == np.uint8
    assert abs(estimate_skew(upright)) <= 0.1


def test_deskew_leaves_level_blank_and_grey_pages_as_they_are(page: np.ndarray) -> None:
    level, undone = deskew(page)
    assert undone == 0.0 and level is page
    blank = np.full((400, 300), 255, dtype=np.uint8)
    assert deskew(blank) == (blank, 0.0)
    grey = page.mean(axis=2).astype(np.uint8)
    assert estimate_skew(_turned(grey, -1.0)) == pytest.approx(-1.0, abs=0.11)
