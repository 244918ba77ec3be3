"""One score scale for every kind of hit: the estimated probability that the hit is relevant.

Each kind ranks by its own raw score (equations: the structural re-rank in 0-1; passages:
reciprocal-rank fusion, ~0.03), and those numbers mean nothing to a reader nor compare across
kinds. A logistic curve per kind maps a raw feature to the probability that a hit of that kind
is what was asked for, fitted on labelled queries of the real papers
(``benchmarks/score_calibration.py``: one half of the papers fits, the other checks). The
mapping is monotone in the feature, so an equation ranking is unchanged; passages keep their
fused order and take their probability from the cosine of query and passage vectors, which,
unlike a rank, says how close the passage is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Hits with at least this probability are close matches; a search whose best hit is below it
#: is answered "no close match - nearest:". At 0.5 a flagged hit is more likely relevant than
#: not (precision / recall on the check half: see ``benchmarks/score_calibration.py``).
CLOSE_MATCH = 0.5


@dataclass(frozen=True, slots=True)
class Calibration:
    """``p = 1 / (1 + exp(-(slope * raw + intercept)))``: a kind's raw feature as a probability.

    Example:
        >>> round(Calibration("equation", 10.0, -5.0)(0.5), 3)
        0.5
    """

    kind: str
    slope: float
    intercept: float

    def __call__(self, raw: float) -> float:
        z = self.slope * float(raw) + self.intercept
        return round(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))), 4)


def stored_cosine(embedding: bytes | None, vector: np.ndarray) -> float:
    """The cosine of a stored unit vector (float32 bytes) and a query's; 0 when there is none."""
    if not embedding:
        return 0.0
    stored = np.frombuffer(embedding, dtype=np.float32)
    return float(stored @ vector) if stored.shape == vector.shape else 0.0


def fit_calibration(
    kind: str, raw: Sequence[float], relevant: Sequence[bool], *, steps: int = 100
) -> Calibration:
    """Fit a :class:`Calibration` by maximum likelihood (Newton's method, a tiny ridge).

    Raises:
        ValueError: no labels, or only one class (a curve needs both).
    """
    x = np.asarray(raw, dtype=np.float64)
    y = np.asarray(relevant, dtype=np.float64)
    if x.size == 0 or y.min() == y.max():
        raise ValueError("calibration needs relevant and irrelevant examples")
    design = np.stack([x, np.ones_like(x)], axis=1)
    weights = np.zeros(2)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ weights, -60, 60)))
        gradient = design.T @ (p - y) + 1e-6 * weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + 1e-6 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-9:
            break
    return Calibration(kind, round(float(weights[0]), 4), round(float(weights[1]), 4))


# Fitted by ``python benchmarks/score_calibration.py --papers 5`` on papers 1, 3 and 5 of the
# shared set (PDF ingestion), checked on papers 2 and 4: equations 0.5 at a re-rank score of
# 0.755 (check half: Brier 0.019, close_match precision 0.69 / recall 0.68); passages 0.5 at a
# cosine of 0.316 (Brier 0.049, precision 0.93 / recall 0.99).
EQUATION_CALIBRATION = Calibration("equation", 17.0541, -12.8808)
PASSAGE_CALIBRATION = Calibration("passage", 19.9967, -6.3274)
