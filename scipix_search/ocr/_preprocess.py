"""Image preprocessing for the formula model: gray, polarity, crop, deskew and scale.

The pix2tex model reads glyphs only near the scale of its training renders, and its image
resizer network is not available, so :func:`estimate_glyph_height` measures the median height
of the connected components (the glyphs) and :func:`plan_scale` resizes to the training scale.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

logger = logging.getLogger(__name__)

#: Normalisation of pix2tex's training transform (``alb.Normalize``).
MEAN, STD = 0.7931, 0.1738
#: Model input limits (pix2tex 0.1.4 ``config.yaml``); sides are multiples of ``DIVISOR``.
MAX_HEIGHT, MAX_WIDTH, DIVISOR = 192, 672, 32
#: Median glyph height in pixels at which the model reads best. Measured on the im2latex dev
#: images at their best fixed rescale (x1.4), see ``benchmarks/formula_ocr.py --calibrate``.
TARGET_GLYPH_HEIGHT = 12.6
#: A document's formula glyph height (see :data:`TARGET_GLYPH_HEIGHT`) as a multiple of the
#: median glyph height of its prose lines (their x-height, about 0.45 of the font size: 0.43-0.48
#: on the 9 dev papers' pages, clean and scanned at 200 dpi). A formula crop's own components
#: are no steady ruler: by what a page's few displays hold (scripts, big operators, fractions)
#: their pooled median was 0.33-0.66 of the font size across those papers. Chosen on the dev
#: half's oracle crops (``benchmarks/scan_read.py``, 0.5-0.7 of the font size a plateau; 0.6).
PROSE_TO_FORMULA = 1.33
#: Grain (robust standard deviation of the paper's grey levels) above which a crop is a scan
#: and its levels are flattened (:func:`flatten_paper`): renders have 0 (im2latex, PDF crops),
#: the benchmark scans (noise 8, then JPEG q75) 3-4.5.
MIN_GRAIN = 1.5


@dataclass(frozen=True)
class Prepared:
    """A cropped grayscale formula image, ready to be scaled for the model.

    Attributes:
        gray: ``HxW`` uint8 image, dark ink on white, cropped to the ink.
        glyph_height: Median glyph height in pixels, or ``None`` where it cannot be measured.
        angle: Rotation in degrees that was undone by deskewing.
    """

    gray: np.ndarray
    glyph_height: float | None
    angle: float = 0.0


def to_gray(image: Image.Image) -> np.ndarray:
    """Flatten any PIL image to ``HxW`` uint8 gray, compositing transparency onto white.

    Args:
        image: Image in any mode.

    Returns:
        The gray pixels.
    """
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        span = array.max() - array.min()
        array = (array - array.min()) / span * 255 if span > 0 else np.full_like(array, 255)
        return array.astype(np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8)


def normalise_polarity(gray: np.ndarray) -> np.ndarray:
    """Return dark ink on a light background (inverting dark-mode images) with full contrast.

    The background is the border's median: formulas have more paper than ink at their edges.
    """
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.median(border) < 128:
        gray = 255 - gray
    low, high = int(gray.min()), int(gray.max())
    if high - low < 1:
        return gray
    stretched = (gray.astype(np.float32) - low) * (255.0 / (high - low))
    return stretched.astype(np.uint8)


def flatten_paper(gray: np.ndarray) -> np.ndarray:
    """Scanned paper to clean white and ink to full black, as the model's training renders are.

    A scan's paper is grey and grainy (sensor noise, JPEG ringing): the model never saw that,
    and the grain breaks or swells the glyphs the scale is measured on. Levels are set from
    the crop itself: paper is the pixels above Otsu's threshold, and every pixel within three
    noise deviations (MAD) of its median becomes white; the ink's 10th percentile becomes
    black. A clean render (no grain) is returned as it is, so born-digital crops and
    screenshots are read exactly as before.

    Args:
        gray: ``HxW`` uint8, dark ink on a light background.

    Returns:
        The levelled image (``gray`` itself where there is no grain or too little contrast).
    """
    threshold, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper, ink = gray[gray > threshold], gray[gray <= threshold]
    if paper.size < 16 or ink.size == 0:
        return gray
    level = float(np.median(paper))
    grain = 1.4826 * float(np.median(np.abs(paper.astype(np.float32) - level)))
    if grain < MIN_GRAIN:
        return gray
    white, black = level - 3 * grain, float(np.percentile(ink, 10))
    if white - black < 30:
        return gray
    levelled = (gray.astype(np.float32) - black) * (255.0 / (white - black))
    return np.clip(levelled, 0, 255).astype(np.uint8)


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Boolean mask of ink pixels (Otsu threshold, never above mid-gray)."""
    threshold, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return gray <= min(float(threshold), 160.0)


def crop_to_content(gray: np.ndarray, margin: int = 0) -> np.ndarray | None:
    """Crop to the bounding box of the ink plus ``margin`` pixels; ``None`` for a blank image."""
    mask = ink_mask(gray)
    if mask.sum() < 3 or gray.max() - gray.min() < 40:
        return None
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, bottom = max(rows[0] - margin, 0), min(rows[-1] + 1 + margin, gray.shape[0])
    left, right = max(cols[0] - margin, 0), min(cols[-1] + 1 + margin, gray.shape[1])
    return gray[top:bottom, left:right]


def estimate_glyph_height(gray: np.ndarray) -> float | None:
    """Median height of the glyphs (connected ink components), ignoring specks and rules.

    Args:
        gray: Cropped image, dark ink on white.

    Returns:
        The median component height in pixels, or ``None`` when fewer than two glyphs are found.
    """
    mask = ink_mask(gray).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return None
    heights = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    widths = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float64)
    areas = stats[1:, cv2.CC_STAT_AREA]
    # Specks (noise, dots of i/j) and flat rules (minus, fraction bars) say nothing of the size.
    keep = (areas >= max(2, 0.02 * np.median(areas))) & (heights >= 0.3 * widths)
    if keep.sum() < 2:
        return None
    return float(np.median(heights[keep]))


def deskew(gray: np.ndarray, max_angle: float = 5.0, step: float = 0.5) -> tuple[np.ndarray, float]:
    """Undo a small rotation by maximising the sharpness of the row profile.

    Only wide, single-line crops are corrected, and only when a rotation clearly beats 0°:
    formulas with fractions or matrices have weak row profiles and are left as they are.

    Returns:
        The (possibly rotated) image and the angle in degrees that was applied.
    """
    height, width = gray.shape
    if width < 3 * height or width < 60:
        return gray, 0.0
    ink: np.ndarray = ink_mask(gray).astype(np.float32)
    pad = int(height * 0.5) + 2
    ink = cv2.copyMakeBorder(ink, pad, pad, 0, 0, cv2.BORDER_CONSTANT, value=0)
    centre = (ink.shape[1] / 2, ink.shape[0] / 2)

    def score(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(ink, matrix, (ink.shape[1], ink.shape[0]), flags=cv2.INTER_NEAREST)
        profile = rotated.sum(axis=1)
        return float(np.square(profile).sum())

    base = score(0.0)
    angles = np.arange(-max_angle, max_angle + step / 2, step)
    scores = [score(float(a)) for a in angles]
    best = int(np.argmax(scores))
    angle = float(angles[best])
    if abs(angle) < step / 2 or scores[best] < 1.15 * base:
        return gray, 0.0
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos) + 1, int(height * cos + width * sin) + 1
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    rotated = cv2.warpAffine(gray, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=255)
    logger.debug("deskewed by %.1f degrees", angle)
    cropped = crop_to_content(rotated)
    return (cropped if cropped is not None else gray), angle


def prepare(image: Image.Image, *, straighten: bool = True) -> Prepared | None:
    """Gray, polarity, crop and deskew an image; ``None`` when it holds no ink.

    Args:
        image: Decoded image (see :func:`~scipix_search.ocr._images.load_image`).
        straighten: Whether to undo small rotations.

    Returns:
        The prepared crop, or ``None`` for a blank image.
    """
    gray = flatten_paper(normalise_polarity(to_gray(image)))
    cropped = crop_to_content(gray)
    if cropped is None:
        return None
    angle = 0.0
    if straighten:
        cropped, angle = deskew(cropped)
    return Prepared(cropped, estimate_glyph_height(cropped), angle)


def plan_scale(prepared: Prepared, *, reference_height: float | None = None) -> float:
    """The scale that brings the glyphs to the model's training height.

    ``TARGET_GLYPH_HEIGHT / glyph_height``, within the model's input size. A single crop's
    glyph height is noisy (about 15 % between formulas of one font size, by which glyphs it
    holds) and the model is sharp about scale, so crops from one document should pass the
    document's pooled ``reference_height`` instead. Without any estimate the image is only
    fitted into the input size. Neighbouring scales for a vote are the recognizer's
    (``VOTE_FACTORS``), applied to this one.
    """
    height, width = prepared.gray.shape
    fit = min(MAX_HEIGHT / height, MAX_WIDTH / width)
    glyph = reference_height or prepared.glyph_height
    if glyph is None:
        return min(1.0, fit)
    return min(TARGET_GLYPH_HEIGHT / glyph, fit)


def pooled_glyph_height(prepared: list[Prepared | None]) -> float | None:
    """Median glyph height over the crops of one document (``None`` without estimates)."""
    heights = [p.glyph_height for p in prepared if p is not None and p.glyph_height]
    return float(np.median(heights)) if heights else None


def prose_glyph_height(lines: Sequence[np.ndarray]) -> float | None:
    """Median glyph height (the x-height) over crops of a document's prose lines, or ``None``.

    Each line's glyph height is measured as a formula crop's is (:func:`estimate_glyph_height`,
    after :func:`flatten_paper` for scans' grain); the median over lines is then taken.
    """
    heights = []
    for line in lines:
        gray = line if line.ndim == 2 else cv2.cvtColor(line, cv2.COLOR_RGB2GRAY)
        if gray.size == 0 or gray.max() - gray.min() < 40:
            continue
        height = estimate_glyph_height(flatten_paper(gray))
        if height:
            heights.append(height)
    return float(np.median(heights)) if heights else None


def to_model_input(gray: np.ndarray, scale: float) -> np.ndarray:
    """Resize by ``scale``, pad to multiples of 32 (image top-left, as in training) and normalise.

    Args:
        gray: Cropped image, dark ink on white.
        scale: Resize factor; the result is also shrunk to fit 192 x 672.

    Returns:
        A ``1x1xHxW`` float32 array.
    """
    height, width = gray.shape
    scale = min(scale, MAX_HEIGHT / height, MAX_WIDTH / width)
    new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
    if (new_h, new_w) != (height, width):
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        gray = cv2.resize(gray, (new_w, new_h), interpolation=interpolation)
    out_h = max(DIVISOR, -(-new_h // DIVISOR) * DIVISOR)
    out_w = max(DIVISOR, -(-new_w // DIVISOR) * DIVISOR)
    canvas = np.full((out_h, out_w), 255, dtype=np.uint8)
    canvas[:new_h, :new_w] = gray
    array = (canvas.astype(np.float32) / 255.0 - MEAN) / STD
    return array[None, None]
