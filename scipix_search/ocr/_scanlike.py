"""Scan-like pages: what a scanner or a phone does to a rendered page, reproducibly.

The scan benchmarks and tests degrade rendered pages this way, and the text recognizer's int8
build (``_text_int8.py``) calibrates on pages degraded the same way: a small random turn,
optics blur, sensor noise and JPEG compression (the defaults, which draw the same random
numbers as before the options below existed).

Options add what scans and photographs as people have them also show (issue 13): a coloured
page (tinted paper, ink that is not black), a phone's uneven light (a smooth gradient and a
soft shadow across the page), a slight keystone (the page's sides leaning, as a camera held
not quite square sees them) and a bilevel page (thresholded to 1 bit, as office scanners
write TIFF or PNG). Each draws its random numbers only when it is on.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter


@dataclass(frozen=True)
class ScanOptions:
    """How a page is degraded (:func:`degrade_page`'s keyword arguments, kept together).

    Attributes:
        skew: the page is turned by a uniform angle in ``[-skew, skew]`` degrees.
        noise: standard deviation of the Gaussian grey-level noise.
        jpeg: JPEG quality (not used for a bilevel page: it is a PNG).
        colour: tint the paper (cream to grey) and the ink (dark blue, brown or grey).
        lighting: darkest share of the light lost to a gradient and a soft shadow (0: even).
        keystone: the sides lean inward at the top or the bottom by up to this many degrees.
        bilevel: threshold the page to 1 bit and write it as a PNG.
    """

    skew: float = 1.0
    noise: float = 8.0
    jpeg: int = 75
    colour: bool = False
    lighting: float = 0.0
    keystone: float = 0.0
    bilevel: bool = False

    def describe(self) -> str:
        """The degradation in words, for benchmark titles."""
        parts = [f"skew <= {self.skew:g} deg", "blur", f"noise {self.noise:g}"]
        if self.colour:
            parts.append("colour")
        if self.lighting:
            parts.append(f"lighting {self.lighting:g}")
        if self.keystone:
            parts.append(f"keystone <= {self.keystone:g} deg")
        parts.append("bilevel PNG" if self.bilevel else f"JPEG q{self.jpeg}")
        return ", ".join(parts)


def _colour(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    # paper from cream to light grey, ink from dark blue to brown: white maps to the paper,
    # black to the ink, linearly between (antialiased edges stay between the two)
    paper = np.array([rng.uniform(225, 250), rng.uniform(215, 245), rng.uniform(190, 235)])
    ink = rng.choice(np.array([[35.0, 40, 90], [70, 45, 30], [60, 60, 60]])) + rng.uniform(
        -10, 10, 3
    )
    share = pixels.astype(np.float32)[:, :, :3] / 255.0
    return np.clip(ink + share * (paper - ink), 0, 255).astype(np.uint8)


def _keystone(pixels: np.ndarray, degrees: float, rng: np.random.Generator) -> np.ndarray:
    import cv2

    height, width = pixels.shape[:2]
    lean = float(rng.uniform(0.5, 1.0)) * degrees * (1 if rng.random() < 0.5 else -1)
    # rows keep their heights and stay level; each row is scaled about the page's centre
    # line, less at the top than at the bottom (or the other way), so the sides lean by
    # `lean`. A camera's foreshortening of a degree or two (rows closer together towards the
    # far edge) is under a line's height over the page and is left out: the page's boxes
    # in points still hold for the rows.
    half = np.tan(np.deg2rad(lean)) * height / 2
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    factor = 1 + (ys - height / 2) / (height / 2) * (half / (width / 2))
    map_x = (width / 2 + (xs - width / 2) / factor).astype(np.float32)
    return cv2.remap(
        pixels, map_x, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(255,) * 3
    )


def _lighting(shape: tuple[int, int], strength: float, rng: np.random.Generator) -> np.ndarray:
    import cv2

    height, width = shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    ys, xs = ys / height - 0.5, xs / width - 0.5
    # a gradient across the page in a random direction: the light falls off away from the lamp
    theta = rng.uniform(0, 2 * np.pi)
    along = np.cos(theta) * xs + np.sin(theta) * ys
    gradient = (along - along.min()) / max(float(np.ptp(along)), 1e-6)
    # a soft shadow (the phone or a hand) over a band of one side, its edge blurred
    phi = rng.uniform(0, 2 * np.pi)
    across = np.cos(phi) * xs + np.sin(phi) * ys
    edge = float(rng.uniform(0.15, 0.4))
    soft = float(rng.uniform(0.02, 0.06))
    shadow = 1 / (1 + np.exp(-(across - edge) / soft))
    light = 1 - strength * (0.6 * gradient + 0.4 * shadow)
    return cv2.GaussianBlur(light.astype(np.float32), (0, 0), 3)


def degrade_page(
    pixels: np.ndarray,
    dpi: int,
    rng: np.random.Generator,
    *,
    skew: float = 1.0,
    noise: float = 8.0,
    jpeg: int = 75,
    colour: bool = False,
    lighting: float = 0.0,
    keystone: float = 0.0,
    bilevel: bool = False,
) -> bytes:
    """A scan-like JPEG (a PNG where ``bilevel``) of a rendered page.

    Args:
        pixels: ``HxWx3`` uint8 RGB page rendered at ``dpi``.
        dpi: its resolution (the blur scales with it: about half a pixel at 200 dpi).
        rng: where the turn and the noise come from (seed it for a reproducible scan).
        skew: the page is turned by a uniform angle in ``[-skew, skew]`` degrees.
        noise: standard deviation of the Gaussian grey-level noise.
        jpeg: JPEG quality.
        colour: tinted paper and ink that is not black (:class:`ScanOptions`).
        lighting: the darkest share of the light lost to a gradient and a shadow.
        keystone: the largest lean of the page's sides, degrees.
        bilevel: thresholded to black and white, written as a 1-bit PNG.
    """
    if colour:
        pixels = _colour(pixels, rng)
    if keystone:
        pixels = _keystone(pixels, keystone, rng)
    fill = tuple(int(v) for v in pixels[0, 0, :3]) if colour else (255, 255, 255)
    image = Image.fromarray(pixels)
    if skew:
        angle = float(rng.uniform(-skew, skew))
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=fill)
    image = image.filter(ImageFilter.GaussianBlur(radius=0.5 * dpi / 200))
    values = np.asarray(image, dtype=np.float32)
    if lighting:
        values = values * _lighting(values.shape[:2], lighting, rng)[:, :, None]
    grain = rng.normal(0.0, noise, (image.height, image.width, 1))
    noisy = np.clip(values + grain, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    if bilevel:
        # an office scanner's fixed threshold at mid-grey, written as 1 bit a pixel
        gray = np.asarray(Image.fromarray(noisy).convert("L"))
        Image.fromarray(gray >= 128).convert("1").save(out, format="PNG")
    else:
        Image.fromarray(noisy).save(out, format="JPEG", quality=jpeg)
    return out.getvalue()
