"""The prose lines of a page scan are the formula OCR's ruler for the document's font size."""

from __future__ import annotations

from typing import Any

import numpy as np

from scipix_search.ingest import PageEquations, prose_crops
from scipix_search.ingest._image import PROSE_LINES_PER_PAGE, PROSE_MIN_CHARS, is_prose, word_share
from scipix_search.ocr import LatexResult, Region, TextLine


def test_prose_is_long_lines_of_words_and_formulas_are_not() -> None:
    assert is_prose("The estimator is consistent under the conditions of Theorem 2.")
    assert not is_prose("f(x) = a_1 x + b_2 y^2 (3)")
    assert not is_prose("idY = AAx.x + fNL")
    assert is_prose("Proof.") and not is_prose("Proof.", PROSE_MIN_CHARS)  # too short a ruler


def test_word_share_counts_words_of_prose_not_symbols_read_as_letters() -> None:
    assert word_share("the method and lines") == 1.0
    assert word_share("") == 0.0
    # mixed case runs ("fNL", "AAx") are symbols; capitals and capitalised words are words
    assert word_share("fNL AAx") == 0.0
    assert word_share("THE Method") == 1.0
    assert 0.0 < word_share("R ∈ {(rmin, rmax) ∈ N2 | rmin ≤ rmax }") < 1.0


def test_names_glued_to_their_index_are_no_words() -> None:
    # a name with its subscript read on the line (Nat1, iter1) is a symbol, not a word
    assert word_share("Nat1 iter1 Tm0") == 0.0
    assert not is_prose("exp : Nat1 → Nat0 → Nat0")
    assert is_prose("the type of natural numbers in universe 1 and its iterator")


class _Detector:
    def displays(self, pixels: np.ndarray, lines: list[Any]) -> list[Region]:
        return self.equations(pixels)

    def equations(self, pixels: np.ndarray) -> list[Region]:
        return [Region("equation", (10.0, 200.0, 200.0, 230.0), 0.9)]


class _Recognizer:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def batch(self, crops: list[np.ndarray], **options: Any) -> list[LatexResult]:
        self.calls.append(options)
        return [LatexResult("x", "", 0.9, True, 1.0, 1.0, {}) for _ in crops]


def test_page_equations_hand_the_prose_lines_to_the_formula_ocr() -> None:
    pixels = np.full((1000, 800), 255, dtype=np.uint8)
    prose = [
        TextLine(
            f"line {k} of the running text about estimators",
            (10.0, 20.0 * k, 700.0, 20.0 * k + 15),
            0.9,
        )
        for k in range(1, 40)
    ]
    # the display box's own line (read by the detector's crop, not as a line of math)
    formula = TextLine("f(x) = a_1 x + b_2 y^2 (3)", (10.0, 200.0, 200.0, 230.0), 0.9)
    recognizer = _Recognizer()
    found = PageEquations(_Detector(), recognizer)
    found.add_page(pixels, 1, lines=[*prose, formula])
    found.add_page(pixels, 2)  # a page without lines adds no ruler
    assert len(found.read()) == 2
    (options,) = recognizer.calls
    assert options["same_document"] is True
    assert options["scanned"] is True  # the page images' doubt threshold, not the PDFs'
    crops = options["prose"]
    # a sample spread over the page's prose, none of the formula
    assert 0 < len(crops) <= PROSE_LINES_PER_PAGE
    assert all(crop.shape[0] == 15 + 2 * 4 for crop in crops)  # the prose lines, with margin
    assert prose_crops(pixels, [formula]) == []


def test_a_multi_row_display_is_read_row_by_row_and_its_rows_name_it() -> None:
    class Rows(_Detector):
        def equations(self, pixels: np.ndarray) -> list[Region]:
            rows = ((10.0, 300.0, 200.0, 320.0), (10.0, 330.0, 200.0, 350.0))
            return [
                *super().equations(pixels),
                Region("equation", (10.0, 300.0, 200.0, 350.0), 0.7, rows),
            ]

    class Reads(_Recognizer):
        def batch(self, crops: list[np.ndarray], **options: Any) -> list[LatexResult]:
            latex = ["y", "a=b", "c=d"]
            return [
                LatexResult(t, "", 0.9 - k / 10, k != 2, 1.0, 1.0, {}) for k, t in enumerate(latex)
            ]

    found = PageEquations(Rows(), Reads())
    found.add_page(np.full((1000, 800), 255, dtype=np.uint8), 1)
    read = found.read_found()
    # the one-row display, the two-row one (rows joined, the least sure row's confidence,
    # parsing only where every row parses), then its rows, each naming it
    assert [f.equation.latex for f in read] == ["y", "a=b \\\\ c=d", "a=b", "c=d"]
    assert [f.row_of for f in read] == [None, None, 1, 1]
    assert [f.region_confidence for f in read] == [0.9, 0.7, 0.7, 0.7]
    assert [f.parses for f in read] == [True, False, True, False]
    assert read[1].equation.confidence == 0.7
    assert [f.equation for f in read] == found.read()
