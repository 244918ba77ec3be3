"""Skew of scanned pages: the angle found on a real rendered page turned by known angles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from scipix_search.ingest import render_page
from scipix_search.ocr import deskew, estimate_skew
from scipix_search.ocr._deskew import even_light

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


def _lit(pixels: np.ndarray, darkest: float) -> np.ndarray:
    """The page under a light falling off from its left edge to ``darkest`` at its right."""
    fall = np.linspace(1.0, darkest, pixels.shape[1], dtype=np.float32)[None, :, None]
    return (pixels.astype(np.float32) * fall).astype(np.uint8)


def test_even_light_evens_a_page_lit_from_one_side(page: np.ndarray) -> None:
    lit = _lit(page, 0.45)
    grey_lit = lit.mean(axis=2)
    assert (grey_lit[:, -200:] < 150).mean() > 0.5  # the dark side's paper reads as ink
    even = even_light(lit)
    grey = even.mean(axis=2)
    ink = page.mean(axis=2) < 150
    # the paper is paper again everywhere, and the ink is the page's ink
    assert (grey[~ink] < 150).mean() < 0.01
    assert (grey[ink] < 150).mean() > 0.9
    assert even.shape == lit.shape and even.dtype == np.uint8


def test_even_light_leaves_evenly_lit_pages_as_they_are(page: np.ndarray) -> None:
    assert even_light(page) is page
    tinted = (page.astype(np.float32) * np.array([0.97, 0.94, 0.85])).astype(np.uint8)
    assert even_light(tinted) is tinted  # a coloured paper is even, only not white
    mild = _lit(page, 0.9)
    assert even_light(mild) is mild


def test_deskew_evens_the_light_before_it_finds_the_turn(page: np.ndarray) -> None:
    lit = _lit(_turned(page, -1.5), 0.45)
    upright, undone = deskew(lit)
    assert undone == pytest.approx(-1.5, abs=0.11)
    assert (upright.mean(axis=2) < 150).mean() < 2 * (page.mean(axis=2) < 150).mean()
    kept, _ = deskew(lit, light=False)
    assert (kept.mean(axis=2) < 150).mean() > 0.2  # without it, a fifth of the page is "ink"
