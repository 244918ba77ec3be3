"""A scanned page's math that no display box holds is read too and stored as inline math."""

from __future__ import annotations

from typing import Any

import numpy as np

from scipix_search.ingest import PageEquations, math_lines
from scipix_search.ocr import LatexResult, Region, TextLine

DISPLAY = (10.0, 200.0, 400.0, 230.0)


def _line(text: str, y: float, x1: float = 700.0) -> TextLine:
    return TextLine(text, (10.0, y, x1, y + 20.0), 0.9)


def test_math_lines_are_lines_of_math_outside_the_displays_not_prose_nor_labels() -> None:
    lines = [
        _line("The estimator is consistent under the conditions of Theorem 2.", 20.0),
        _line("f(x) = a x + b", 205.0, 400.0),  # the display's own line
        _line("NatElim : (P : Ty (Γ ▷ (n : Nat)))", 300.0),  # a display the rules left out
        _line("(12)", 340.0),  # an equation number
        _line("x + y", 380.0),  # too short: a figure's label
        _line("DECaLS North", 420.0),  # no sign of math
        _line("where V−1 = Ez∼q(z)(Z′Σ−1Z) + IK and wi = Vw", 460.0),  # dense inline math
    ]
    found = math_lines(lines, [DISPLAY])
    assert [line.text for line in found] == [lines[2].text, lines[6].text]


class _Detector:
    def displays(self, pixels: np.ndarray, lines: list[Any]) -> list[Region]:
        return [Region("equation", DISPLAY, 0.9)]


class _Recognizer:
    def __init__(self) -> None:
        self.crops = 0

    def batch(self, crops: list[np.ndarray], **options: Any) -> list[LatexResult]:
        self.crops += len(crops)
        return [LatexResult(f"x_{k}", "", 0.9, True, 1.0, 1.0, {}) for k in range(len(crops))]


def test_math_lines_are_read_in_the_batch_and_stored_as_inline_math() -> None:
    lines = [
        _line("f(x) = a x + b", 205.0, 400.0),
        _line("NatElim : (P : Ty (Γ ▷ (n : Nat)))", 300.0),
    ]
    recognizer = _Recognizer()
    found = PageEquations(_Detector(), recognizer)
    boxes = found.add_page(np.full((600, 800), 255, dtype=np.uint8), 1, factor=0.5, lines=lines)
    # the boxes returned leave out the display's lines only: a math line stays a passage's
    assert boxes == [DISPLAY]
    equations = found.read()
    assert recognizer.crops == 2
    assert [(e.display, e.origin) for e in equations] == [(True, "ocr"), (False, "ocr")]
    assert equations[1].bbox == (5.0, 150.0, 350.0, 160.0)
    assert [e.order for e in equations] == [0, 1]
