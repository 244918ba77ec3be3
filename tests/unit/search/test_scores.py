"""One score scale: the probability that a hit is relevant, fitted per kind."""

from __future__ import annotations

import random

import pytest

from scipix_search.ocr import Region
from scipix_search.search import (
    CLOSE_MATCH,
    EQUATION_CALIBRATION,
    PASSAGE_CALIBRATION,
    Calibration,
    equation_region,
    fit_calibration,
)


def test_fit_recovers_a_known_curve() -> None:
    truth = Calibration("equation", 8.0, -4.0)
    rng = random.Random(0)
    raw = [rng.random() for _ in range(4000)]
    relevant = [rng.random() < truth(x) for x in raw]
    fitted = fit_calibration("equation", raw, relevant)
    assert fitted.slope == pytest.approx(8.0, rel=0.2)
    assert fitted.intercept == pytest.approx(-4.0, rel=0.2)


def test_fit_needs_both_classes() -> None:
    with pytest.raises(ValueError):
        fit_calibration("passage", [0.1, 0.2], [False, False])


@pytest.mark.parametrize("calibration", [EQUATION_CALIBRATION, PASSAGE_CALIBRATION])
def test_shipped_curves_rise_across_the_threshold(calibration: Calibration) -> None:
    assert calibration.slope > 0
    assert calibration(0.0) < CLOSE_MATCH < calibration(1.0)
    assert 0.0 <= calibration(-1e9) <= calibration(1e9) <= 1.0


def test_equation_region_reads_the_equation_of_a_loose_crop() -> None:
    regions = [
        Region("text", (0, 0, 600, 50), 0.9),
        Region("equation", (160, 60, 420, 110), 0.8),
        Region("equation", (100, 140, 200, 170), 0.4),
        Region("text", (0, 130, 600, 175), 0.9),
    ]
    box = equation_region(regions, 600, 180)
    assert box is not None and box[0] <= 160 and box[2] >= 420 and box[1] <= 60 and box[3] >= 110
    assert box[1] > 40 and box[3] < 130  # the prose lines stay out
    # a tight crop (the region is the image) and no equation: the whole image
    assert equation_region([Region("equation", (2, 2, 598, 178), 0.9)], 600, 180) is None
    assert equation_region(regions[:1], 600, 180) is None
