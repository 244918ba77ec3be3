"""RapidOCR's line-detector input, made by a table of the 256 grey levels.

RapidOCR normalises the resized page pixel by pixel in float64 (its mean and std are float64
arrays) and then casts to float32: a tenth of a second of CPU a 200-dpi page, as much as a
sixth of the detector's own run. A pixel's value depends on its level and channel alone, so
each channel's 256 values are computed once by RapidOCR's own ``normalize`` and the page is
looked up in them: the same float32 input, bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_LEVELS = np.arange(256, dtype=np.uint8)


class TablePreprocess:
    """A RapidOCR ``DetPreProcess`` whose normalisation is a lookup table.

    Args:
        op: The ``DetPreProcess`` (its resize, mean and std, and its ``normalize`` for the
            table).
    """

    def __init__(self, op: Any) -> None:
        self.op = op
        self.limit_side_len, self.limit_type = op.limit_side_len, op.limit_type

    def __call__(self, img: np.ndarray) -> np.ndarray | None:
        """The ``1x3xHxW`` float32 input of the detector for an ``HxWx3`` image, or None
        where RapidOCR's resize gives none."""
        if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
            return self.op(img)  # RapidOCR's own path for what the table does not cover
        resized = self.op.resize(img)
        if resized is None:
            return None
        levels = np.repeat(_LEVELS[None, :, None], 3, axis=2)  # 1 x 256 x 3
        table = np.asarray(self.op.normalize(levels), dtype=np.float32)[0]
        out = np.empty((1, 3, *resized.shape[:2]), dtype=np.float32)
        for channel in range(3):
            np.take(table[:, channel], resized[:, :, channel], out=out[0, channel])
        return out
