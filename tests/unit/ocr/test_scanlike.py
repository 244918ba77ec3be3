"""Scan-like pages: each degradation option does to a real rendered page what it says, and
the defaults draw the random numbers they drew before the options existed."""

from __future__ import annotations

import io
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from scipix_search.ingest import render_page
from scipix_search.ocr import ScanOptions, degrade_page

FIXTURE_PDF = Path(__file__).resolve().parents[2] / "fixtures" / "pdf" / "display_math.pdf"


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    with pymupdf.open(FIXTURE_PDF) as document:
        return render_page(document[0], 100)


def _decoded(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def _paper(pixels: np.ndarray) -> np.ndarray:
    """The page's paper: the pixels of its brightest half of grey levels."""
    grey = pixels.mean(axis=2) if pixels.ndim == 3 else pixels
    return pixels[grey >= np.median(grey)]


def test_defaults_draw_one_turn_then_the_grain(page: np.ndarray) -> None:
    rng = np.random.default_rng(7)
    degrade_page(page, 100, rng)
    expected = np.random.default_rng(7)
    expected.uniform(-1.0, 1.0)
    expected.normal(0.0, 8.0, (page.shape[0], page.shape[1], 1))
    # the int8 calibration and every recorded figure use these pages: no draw was added
    assert rng.random() == expected.random()


def test_options_default_to_the_plain_scan(page: np.ndarray) -> None:
    plain = degrade_page(page, 100, np.random.default_rng(3))
    same = degrade_page(page, 100, np.random.default_rng(3), **asdict(ScanOptions()))
    assert plain == same and _decoded(plain).format == "JPEG"


def test_colour_tints_the_paper_and_lightens_the_ink(page: np.ndarray) -> None:
    scan = np.asarray(_decoded(degrade_page(page, 100, np.random.default_rng(1), colour=True)))
    paper = _paper(scan).astype(np.float64).mean(axis=0)
    assert paper[0] - paper[2] > 8  # warmer than grey: more red than blue
    ink = scan[scan.mean(axis=2) < 100]
    assert ink.size and np.percentile(ink.mean(axis=1), 5) > 20  # no pure black


def test_lighting_darkens_one_side_of_the_page(page: np.ndarray) -> None:
    data = degrade_page(page, 100, np.random.default_rng(2), lighting=0.5, skew=0)
    grey = np.asarray(_decoded(data).convert("L"), dtype=np.float64)
    height, width = grey.shape
    blocks = [
        np.percentile(grey[y : y + height // 4, x : x + width // 4], 90)
        for y in range(0, height - height // 4 + 1, height // 4)
        for x in range(0, width - width // 4 + 1, width // 4)
    ]
    # paper level of the brightest and the darkest quarter-block
    assert max(blocks) - min(blocks) > 40
    plain = degrade_page(page, 100, np.random.default_rng(2), skew=0)
    flat = np.asarray(_decoded(plain).convert("L"), dtype=np.float64)
    assert np.percentile(flat, 90) - np.percentile(flat, 10) < max(blocks) - min(blocks)


def test_keystone_leans_the_sides_and_keeps_the_rows_level(page: np.ndarray) -> None:
    data = degrade_page(page, 100, np.random.default_rng(4), keystone=2.0, skew=0, noise=0)
    grey = np.asarray(_decoded(data).convert("L"))
    ink = grey < 128
    rows = np.flatnonzero(ink.any(axis=1))
    top, bottom = ink[rows[0] : rows[0] + 40], ink[rows[-1] - 40 : rows[-1] + 1]
    width_top = np.ptp(np.flatnonzero(top.any(axis=0)))
    width_bottom = np.ptp(np.flatnonzero(bottom.any(axis=0)))
    # the ink's first and last rows are where they were: only widths changed
    plain_ink = np.asarray(Image.fromarray(page).convert("L")) < 128
    plain_rows = np.flatnonzero(plain_ink.any(axis=1))
    assert abs(rows[0] - plain_rows[0]) <= 2 and abs(rows[-1] - plain_rows[-1]) <= 2
    assert width_top != width_bottom


def test_bilevel_is_a_one_bit_png(page: np.ndarray) -> None:
    image = _decoded(degrade_page(page, 100, np.random.default_rng(5), bilevel=True))
    assert image.format == "PNG" and image.mode == "1"
    values = np.unique(np.asarray(image.convert("L")))
    assert set(values.tolist()) <= {0, 255} and len(values) == 2


def test_describe_names_what_is_on() -> None:
    assert ScanOptions().describe() == "skew <= 1 deg, blur, noise 8, JPEG q75"
    words = ScanOptions(skew=3, colour=True, lighting=0.5, keystone=2, bilevel=True).describe()
    assert (
        words
        == "skew <= 3 deg, blur, noise 8, colour, lighting 0.5, keystone <= 2 deg, bilevel PNG"
    )
