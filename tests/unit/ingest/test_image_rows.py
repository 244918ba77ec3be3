"""A scanned multi-row display is read row by row and stored whole and by row, as a PDF's."""

from __future__ import annotations

from typing import Any

import numpy as np

from scipix_search.ingest import PageEquations
from scipix_search.ocr import LatexResult, Region

ROWS = ((20.0, 100.0, 300.0, 130.0), (40.0, 140.0, 280.0, 170.0))


class _Detector:
    def equations(self, pixels: np.ndarray) -> list[Region]:
        return [
            Region("equation", (20.0, 100.0, 300.0, 170.0), 0.9, ROWS),
            Region("equation", (20.0, 300.0, 300.0, 330.0), 0.8),
        ]


class _Recognizer:
    def __init__(self) -> None:
        self.shapes: list[tuple[int, ...]] = []

    def batch(self, crops: list[np.ndarray], **options: Any) -> list[LatexResult]:
        self.shapes = [crop.shape for crop in crops]
        reads = ["u = a x", "v = b y", "f = g"]
        return [LatexResult(r, "", 0.5 + k / 10, True, 1.0, 1.0, {}) for k, r in enumerate(reads)]


def test_a_display_with_rows_is_read_by_its_rows_and_stored_whole_then_by_row() -> None:
    recognizer = _Recognizer()
    found = PageEquations(_Detector(), recognizer)
    boxes = found.add_page(np.full((500, 400), 255, dtype=np.uint8), 1, factor=0.5)
    assert boxes == [(20.0, 100.0, 300.0, 170.0), (20.0, 300.0, 300.0, 330.0)]
    equations = found.read()
    # one crop a row and one for the one-row display; the two-row display is not read whole
    assert [shape[0] for shape in recognizer.shapes] == [30 + 8, 30 + 8, 30 + 8]
    assert [e.latex for e in equations] == ["u = a x \\\\ v = b y", "u = a x", "v = b y", "f = g"]
    assert [e.bbox for e in equations][:3] == [
        (10.0, 50.0, 150.0, 85.0),
        (10.0, 50.0, 150.0, 65.0),
        (20.0, 70.0, 140.0, 85.0),
    ]
    assert equations[0].confidence == 0.5  # the whole is as sure as its least sure row
    assert [e.order for e in equations] == [0, 1, 2, 3]
