"""Skew of scanned pages: estimated from the rows of ink, undone before OCR and detection.

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


def _gray(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim == 2:
        return pixels
    return np.asarray(pixels[:, :, :3].mean(axis=2), dtype=np.uint8)


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


def deskew(pixels: np.ndarray, max_deg: float = MAX_SKEW_DEG) -> tuple[np.ndarray, float]:
    """The page turned upright, and the skew that was undone (0.0: returned as it was).

    The page keeps its size; corners turned out of it are filled with white.
    """
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
