"""Scan-like pages: what a scanner or a phone does to a rendered page, reproducibly.

The scan benchmarks and tests degrade rendered pages this way, and the text recognizer's int8
build (``_text_int8.py``) calibrates on pages degraded the same way: a small random turn,
optics blur, sensor noise and JPEG compression.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter


def degrade_page(
    pixels: np.ndarray,
    dpi: int,
    rng: np.random.Generator,
    *,
    skew: float = 1.0,
    noise: float = 8.0,
    jpeg: int = 75,
) -> bytes:
    """A scan-like JPEG of a rendered page.

    Args:
        pixels: ``HxWx3`` uint8 RGB page rendered at ``dpi``.
        dpi: its resolution (the blur scales with it: about half a pixel at 200 dpi).
        rng: where the turn and the noise come from (seed it for a reproducible scan).
        skew: the page is turned by a uniform angle in ``[-skew, skew]`` degrees.
        noise: standard deviation of the Gaussian grey-level noise.
        jpeg: JPEG quality.
    """
    image = Image.fromarray(pixels)
    if skew:
        angle = float(rng.uniform(-skew, skew))
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    image = image.filter(ImageFilter.GaussianBlur(radius=0.5 * dpi / 200))
    grain = rng.normal(0.0, noise, (image.height, image.width, 1))
    noisy = np.clip(np.asarray(image, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(noisy).save(out, format="JPEG", quality=jpeg)
    return out.getvalue()
