"""Preprocessing: gray, polarity, crop, deskew and scale on images rendered here."""

from __future__ import annotations

import cv2
import numpy as np
import pymupdf
import pytest
from PIL import Image

from scipix_search.ocr._preprocess import (
    DIVISOR,
    MAX_HEIGHT,
    MAX_WIDTH,
    TARGET_GLYPH_HEIGHT,
    crop_to_content,
    deskew,
    estimate_glyph_height,
    flatten_paper,
    normalise_polarity,
    plan_scale,
    prepare,
    prose_glyph_height,
    to_gray,
    to_model_input,
)


def render(text: str, fontsize: float = 20, dpi: int = 72) -> np.ndarray:
    """Black text on white, drawn with PyMuPDF's Times-Italic."""
    page = pymupdf.open().new_page(width=30 + fontsize * len(text) * 0.6, height=fontsize * 2.5)
    page.insert_text((10, fontsize * 1.6), text, fontname="Times-Italic", fontsize=fontsize)
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width).copy()


def test_to_gray_transparent_png_on_white() -> None:
    rgba = np.zeros((10, 10, 4), dtype=np.uint8)  # fully transparent black
    rgba[4:6, 4:6] = (0, 0, 0, 255)  # opaque ink
    gray = to_gray(Image.fromarray(rgba, "RGBA"))
    assert gray[0, 0] == 255 and gray[5, 5] == 0


def test_normalise_polarity_inverts_dark_mode() -> None:
    light = render("x+y")
    dark = 255 - light
    fixed = normalise_polarity(dark)
    assert np.median(fixed) > 200
    assert np.abs(fixed.astype(int) - normalise_polarity(light).astype(int)).mean() < 2


def _scanned(gray: np.ndarray, seed: int = 0) -> np.ndarray:
    """``gray`` as the scan benchmark degrades pages: blur, grey-level noise 8, JPEG q75."""
    import io

    from PIL import ImageFilter

    blurred = Image.fromarray(gray).filter(ImageFilter.GaussianBlur(0.5))
    grain = np.random.default_rng(seed).normal(0.0, 8.0, gray.shape)
    noisy = np.clip(np.asarray(blurred, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(noisy).save(out, format="JPEG", quality=75)
    return np.asarray(Image.open(out).convert("L"))


def test_flatten_paper_leaves_renders_alone() -> None:
    clean = normalise_polarity(render(r"f(x) = a + b y", dpi=150))
    assert flatten_paper(clean) is clean


def test_flatten_paper_whitens_scanned_paper_and_keeps_the_glyphs() -> None:
    clean = normalise_polarity(render(r"f(x) = a + b y", dpi=150))
    scanned = normalise_polarity(_scanned(clean))
    flat = flatten_paper(scanned)
    # paper two pixels or more from any ink (the blur greys the glyphs' rims)
    paper = cv2.erode((clean == 255).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert np.mean(scanned[paper] == 255) < 0.5  # grainy before
    assert np.mean(flat[paper] == 255) > 0.97
    ink = clean < 64
    assert np.median(flat[ink]) < 40
    # the glyphs are where they were: the ink masks agree as well as clean vs scanned do
    assert np.mean((flat < 128) == (clean < 128)) >= np.mean((scanned < 128) == (clean < 128))


def test_crop_to_content_blank_is_none() -> None:
    assert crop_to_content(np.full((50, 80), 255, dtype=np.uint8)) is None
    assert prepare(Image.new("L", (80, 50), 30)) is None


def test_crop_to_content_margin() -> None:
    image = np.full((50, 80), 255, dtype=np.uint8)
    image[20:30, 10:40] = 0
    assert crop_to_content(image).shape == (10, 30)
    assert crop_to_content(image, margin=3).shape == (16, 36)


def test_estimate_glyph_height_scales_with_font() -> None:
    small = estimate_glyph_height(crop_to_content(render("a+b=c", 20)))
    large = estimate_glyph_height(crop_to_content(render("a+b=c", 40)))
    assert small is not None and large is not None
    assert large / small == pytest.approx(2.0, rel=0.2)


def test_prose_glyph_height_is_the_x_height_and_ignores_blank_lines() -> None:
    prose = "the quick brown fox jumps over a lazy dog"
    small = [render(prose, 10, dpi=200), render("and then it ran away home", 10, dpi=200)]
    large = [render(prose, 12, dpi=200)]
    blank = np.full((30, 300), 255, dtype=np.uint8)
    height = prose_glyph_height([*small, blank])
    assert height is not None
    # Times' x-height is 0.45 of the font size (10 pt at 200 dpi: 27.8 px)
    assert height / (10 * 200 / 72) == pytest.approx(0.45, abs=0.05)
    assert prose_glyph_height(large) / height == pytest.approx(1.2, rel=0.1)
    # a scan's grain (noise, JPEG) moves it little
    assert prose_glyph_height([_scanned(x) for x in small]) == pytest.approx(height, rel=0.15)
    assert prose_glyph_height([blank]) is None
    assert prose_glyph_height([]) is None


def test_plan_scale_reaches_target_height() -> None:
    prepared = prepare(Image.fromarray(render("x^2+y^2=z^2", 40)))
    scale = plan_scale(prepared)
    assert prepared.glyph_height * scale == pytest.approx(TARGET_GLYPH_HEIGHT, rel=0.01)
    # a document's pooled glyph height overrides the crop's own estimate
    pooled = plan_scale(prepared, reference_height=2 * prepared.glyph_height)
    assert pooled == pytest.approx(scale / 2, rel=0.01)


def test_deskew_recovers_small_rotation() -> None:
    line = crop_to_content(render("a+b+c+d+e+f+g+h=x", 30))
    padded = np.pad(line, 30, constant_values=255)
    h, w = padded.shape
    import cv2

    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 3.0, 1.0)
    rotated = cv2.warpAffine(padded, matrix, (w, h), borderValue=255)
    _, angle = deskew(crop_to_content(rotated))
    assert angle == pytest.approx(-3.0, abs=1.0)


def test_deskew_leaves_straight_text() -> None:
    _, angle = deskew(crop_to_content(render("a+b+c+d+e+f=x", 30)))
    assert angle == 0.0


def test_to_model_input_shape_and_normalisation() -> None:
    gray = crop_to_content(render("a+b", 20))
    pixels = to_model_input(gray, 1.0)
    assert pixels.dtype == np.float32 and pixels.shape[:2] == (1, 1)
    assert pixels.shape[2] % DIVISOR == 0 and pixels.shape[3] % DIVISOR == 0
    huge = to_model_input(np.zeros((1000, 5000), dtype=np.uint8), 3.0)
    assert huge.shape[2] <= MAX_HEIGHT and huge.shape[3] <= MAX_WIDTH
