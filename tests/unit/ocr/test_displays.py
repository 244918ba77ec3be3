"""Display boxes set right by the page's text lines: split at numbers, merged rows, recovered
displays, boxes ended before their number (one page laid out as a typeset column)."""

from __future__ import annotations

import numpy as np

from scipix_search.ocr import Region, TextLine
from scipix_search.ocr._displays import refine_displays
from scipix_search.ocr._geometry import _columns
from scipix_search.ocr._rows import _rows

PROSE = "The method of lines turns the heat equation into a system of ordinary equations"


def _page(*extra: TextLine) -> list[TextLine]:
    """A one-column page: prose lines from x=100 to x=1100, 30 px high."""
    prose = [TextLine(PROSE, (100.0, y, 1100.0, y + 30.0), 0.99) for y in (100.0, 140.0, 900.0)]
    return sorted([*prose, *extra], key=lambda line: (line.bbox[1], line.bbox[0]))


def _number(text: str, y: float) -> TextLine:
    return TextLine(text, (1050.0, y, 1100.0, y + 30.0), 0.98)


def test_one_box_over_two_numbered_rows_is_split_at_the_numbers() -> None:
    lines = _page(_number("(1)", 300.0), _number("(2)", 360.0))
    boxes = refine_displays([Region("equation", (350.0, 290.0, 850.0, 400.0), 0.9)], lines)
    assert len(boxes) == 2
    upper, lower = (b.bbox for b in boxes)
    assert upper[3] <= 345 <= lower[1] and upper[1] == 290 and lower[3] == 400


def test_rows_boxed_one_by_one_with_one_number_are_one_display() -> None:
    lines = _page(_number("(3)", 335.0))
    rows = [
        Region("equation", (400.0, 300.0, 800.0, 330.0), 0.8),
        Region("equation", (420.0, 338.0, 790.0, 368.0), 0.7),
        Region("equation", (410.0, 376.0, 805.0, 406.0), 0.6),
    ]
    boxes = refine_displays(rows, lines)
    assert [b.bbox for b in boxes] == [(400.0, 300.0, 805.0, 406.0)]
    assert boxes[0].confidence == 0.8


def test_numbered_displays_stay_apart_and_end_before_their_number() -> None:
    lines = _page(_number("(4)", 300.0), _number("(5)", 340.0))
    boxes = refine_displays(
        [
            Region("equation", (400.0, 298.0, 1100.0, 332.0), 0.9),
            Region("equation", (400.0, 338.0, 800.0, 372.0), 0.9),
        ],
        lines,
    )
    assert len(boxes) == 2
    assert boxes[0].bbox[2] < 1050.0, "the number is not part of the equation"


def test_a_display_called_text_is_recovered_by_its_number_or_its_centring() -> None:
    formula = TextLine("f(x)=Σ w_i x_i + b", (450.0, 300.0, 750.0, 330.0), 0.7)
    centred = TextLine("g = ∇ L(θ)", (500.0, 500.0, 700.0, 530.0), 0.7)
    lines = _page(formula, _number("(6)", 300.0), centred)
    regions = [
        Region("text", (448.0, 298.0, 752.0, 332.0), 0.8),
        Region("title", (498.0, 498.0, 702.0, 532.0), 0.4),
        Region("text", (100.0, 100.0, 1100.0, 170.0), 0.95),  # prose stays prose
        Region("text", (1050.0, 300.0, 1100.0, 330.0), 0.5),  # the number alone is no display
    ]
    boxes = [b.bbox for b in refine_displays(regions, lines)]
    assert boxes == [(448.0, 298.0, 752.0, 332.0), (498.0, 498.0, 702.0, 532.0)]


def test_a_sure_box_over_prose_without_a_number_is_dropped() -> None:
    lines = _page()
    regions = [Region("equation", (100.0, 100.0, 1100.0, 170.0), 0.6)]
    assert refine_displays(regions, lines) == []
    assert refine_displays(regions, []) == regions, "without lines the detector's boxes stand"


def test_symbols_read_as_letters_in_mixed_case_are_no_words() -> None:
    # Tesseract reads a lambda as "A": "AAx" or "fNL" is a formula's symbols, not a word,
    # while prose in capitals or capitalised words stays prose
    formula = TextLine("idY = AAx.x + fNL", (450.0, 300.0, 750.0, 330.0), 0.8)
    shouted = TextLine(
        "THE METHOD OF LINES Turns Heat Into Systems", (450.0, 500.0, 750.0, 530.0), 0.9
    )
    lines = _page(formula, shouted)
    regions = [
        Region("equation", (450.0, 300.0, 750.0, 330.0), 0.7),
        Region("equation", (450.0, 500.0, 750.0, 530.0), 0.7),
    ]
    assert [b.bbox[1] for b in refine_displays(regions, lines)] == [300.0]


def test_a_display_the_model_boxed_nowhere_is_found_by_its_centred_rows() -> None:
    upper = TextLine("A := {α ∈ 2^N | ∀n ∈ N. α(n) = 0}", (450.0, 300.0, 750.0, 330.0), 0.8)
    lower = TextLine("= ∑ w_i x_i + b", (470.0, 340.0, 720.0, 370.0), 0.8)
    plot = TextLine("0.5 1.0 1.5 2.0", (450.0, 600.0, 750.0, 630.0), 0.9)
    short = TextLine("x = 1", (580.0, 700.0, 620.0, 730.0), 0.9)
    lines = _page(upper, lower, plot, short)
    figure = [Region("figure", (300.0, 550.0, 900.0, 680.0), 0.9)]
    boxes = [b.bbox for b in refine_displays(figure, lines)]
    # the two rows are one display; the axis labels of a figure and a lone word-wide row are not
    assert boxes == [(450.0, 300.0, 750.0, 370.0)]


def test_a_display_box_takes_the_rows_that_continue_it() -> None:
    first = TextLine("f(x) = g(h(x)) + k", (400.0, 300.0, 800.0, 330.0), 0.8)
    second = TextLine("= g(y) + k(foldr map)", (420.0, 340.0, 790.0, 370.0), 0.8)
    after = TextLine(PROSE, (100.0, 380.0, 1100.0, 410.0), 0.99)
    lines = _page(first, second, after)
    boxes = refine_displays([Region("equation", (400.0, 300.0, 800.0, 330.0), 0.9)], lines)
    assert [b.bbox for b in boxes] == [(400.0, 300.0, 800.0, 370.0)]


def test_a_box_is_set_to_the_ink_of_its_display_and_stops_before_its_number() -> None:
    pixels = np.full((1000, 1200), 255, dtype=np.uint8)
    pixels[305:325, 400:560] = 0  # the display's ink, in two runs a space apart
    pixels[305:325, 580:800] = 0
    pixels[305:325, 1055:1095] = 0  # its number
    lines = _page(_number("(7)", 300.0))
    narrow = Region("equation", (380.0, 298.0, 600.0, 332.0), 0.9)  # stops mid-display
    boxes = refine_displays([narrow], lines, pixels=pixels)
    assert [b.bbox for b in boxes] == [(400.0, 305.0, 800.0, 325.0)]


def _two_sided_row() -> tuple[np.ndarray, TextLine]:
    """A page's pixels and the text line of a display row whose two sides (a definition's)
    are a wide space apart."""
    pixels = np.full((1000, 1200), 255, dtype=np.uint8)
    pixels[305:325, 300:520] = 0
    pixels[305:325, 640:900] = 0
    row = TextLine(
        "Stage : Ty A → Ty Γ   Stage : Tm A → Tm (Stage A)", (298.0, 300.0, 902.0, 330.0), 0.8
    )
    return pixels, row


def test_a_box_over_part_of_a_display_row_takes_the_whole_line() -> None:
    pixels, row = _two_sided_row()
    lines = _page(row)
    part = Region("equation", (630.0, 298.0, 910.0, 332.0), 0.9)  # the model boxed one side
    boxes = refine_displays([part], lines, pixels=pixels)
    assert [b.bbox for b in boxes] == [(300.0, 305.0, 900.0, 325.0)]
    # a sentence the box cuts across is no part of it
    prose = TextLine(PROSE, (100.0, 300.0, 1100.0, 330.0), 0.99)
    inline = Region("equation", (630.0, 298.0, 910.0, 332.0), 0.9)
    assert all(b.bbox[0] >= 600.0 for b in refine_displays([inline], _page(prose), pixels=pixels))


def test_boxes_over_two_parts_of_one_display_row_are_one_display() -> None:
    pixels, row = _two_sided_row()
    parts = [
        Region("equation", (630.0, 298.0, 910.0, 332.0), 0.9),  # the model boxed each side
        Region("equation", (290.0, 298.0, 530.0, 332.0), 0.8),
    ]
    for pixels_or_none in (pixels, None):
        boxes = refine_displays(parts, _page(row), pixels=pixels_or_none)
        assert len(boxes) == 1 and boxes[0].confidence == 0.9
        assert boxes[0].bbox[0] <= 300.0 and boxes[0].bbox[2] >= 900.0


def test_a_misread_number_flush_right_beside_math_marks_its_row_a_display() -> None:
    # a display set flush left (not centred) whose "(1)" the OCR read as "qd)": where it sits
    # (short, a parenthesis, flush with the column's right edge, beside a row of no prose)
    # says it is the number; the same piece mid-column, or beside prose, says nothing
    formula = TextLine("Φ = φ+ f[φ2− <φ2>],", (100.0, 300.0, 400.0, 330.0), 0.3)
    misread = TextLine("qd)", (1060.0, 300.0, 1100.0, 330.0), 0.3)
    boxes = [b.bbox for b in refine_displays([], _page(formula, misread))]
    assert boxes == [(100.0, 300.0, 400.0, 330.0)]
    mid = TextLine("qd)", (700.0, 300.0, 740.0, 330.0), 0.3)
    assert refine_displays([], _page(formula, mid)) == []
    prose = TextLine(
        "as shown by the method of lines (Smith et", (100.0, 500.0, 1000.0, 530.0), 0.9
    )
    tail = TextLine("al.)", (1060.0, 500.0, 1100.0, 530.0), 0.9)
    assert refine_displays([], _page(prose, tail)) == []


def test_a_centred_box_the_model_calls_an_equation_needs_more_words_to_be_prose() -> None:
    # "rmin" and "rmax" read as words make half the characters words; the model's own
    # equation class (under its cut) outweighs that, its text class does not
    text = "R ∈ {(rmin, rmax) ∈ N2 | rmin ≤ rmax }"
    line = TextLine(text, (450.0, 300.0, 750.0, 330.0), 0.9)
    box = (450.0, 300.0, 750.0, 330.0)
    assert [b.bbox for b in refine_displays([Region("equation", box, 0.45)], _page(line))] == [box]
    assert refine_displays([Region("text", box, 0.45)], _page(line)) == []


def test_a_centred_name_with_initials_is_no_display() -> None:
    name = TextLine("Bo Y.-C. Ning", (520.0, 300.0, 680.0, 330.0), 0.99)
    assert refine_displays([Region("text", (518.0, 298.0, 682.0, 332.0), 0.9)], _page(name)) == []


def test_a_box_drawn_over_the_sentence_before_its_display_ends_at_the_display() -> None:
    lead = TextLine(
        "In terms of these variables the boundary term reads", (100.0, 260.0, 900.0, 290.0), 0.99
    )
    formula = TextLine("ds2 = l2/z2(−dt2 + dx2 + dz2).", (400.0, 300.0, 800.0, 330.0), 0.9)
    lines = _page(lead, formula, _number("(9)", 300.0))
    boxes = refine_displays([Region("equation", (100.0, 258.0, 1000.0, 332.0), 0.8)], lines)
    assert [b.bbox[1::2] for b in boxes] == [(300.0, 330.0)]


def test_a_number_of_the_other_column_does_not_split_a_display() -> None:
    # two columns (100-480, 620-1100): the right column's "(2)" on the rows of a left-column
    # display is its own display's number, not a second number of the left one
    left = [TextLine(PROSE[:40], (100.0, y, 480.0, y + 25.0), 0.99) for y in range(100, 400, 30)]
    right = [TextLine(PROSE[:40], (620.0, y, 1100.0, y + 25.0), 0.99) for y in range(100, 400, 30)]
    formula = TextLine("a = b + c", (200.0, 450.0, 400.0, 530.0), 0.9)
    numbers = [
        TextLine("(1)", (440.0, 480.0, 480.0, 505.0), 0.99),
        TextLine("(2)", (1060.0, 455.0, 1100.0, 480.0), 0.99),
    ]
    lines = sorted([*left, *right, formula, *numbers], key=lambda line: line.bbox[1])
    boxes = refine_displays([Region("equation", (200.0, 450.0, 400.0, 530.0), 0.9)], lines)
    assert [b.bbox for b in boxes] == [(200.0, 450.0, 400.0, 530.0)]


def test_a_box_over_two_displays_and_the_sentence_between_them_is_two_displays() -> None:
    first = TextLine("u(x) = ∫ k(x, y) f(y) dy", (400.0, 300.0, 800.0, 330.0), 0.8)
    between = TextLine(PROSE, (100.0, 345.0, 1100.0, 375.0), 0.99)
    second = TextLine("k(x, y) = e^{-|x-y|}", (420.0, 390.0, 780.0, 420.0), 0.8)
    box = Region("equation", (150.0, 295.0, 1050.0, 425.0), 0.9)  # over the sentence too
    # no number, or one for the lower display only: the sentence is what parts them
    for numbers in ([], [_number("(1)", 390.0)]):
        lines = _page(first, between, second, *numbers)
        boxes = [b.bbox[1::2] for b in refine_displays([box], lines)]
        assert boxes == [(300.0, 330.0), (390.0, 420.0)]
    # a box over one display and no prose row is left as it is
    lines = _page(first, _number("(1)", 300.0))
    narrow = Region("equation", (390.0, 295.0, 810.0, 335.0), 0.9)
    assert [b.bbox for b in refine_displays([narrow], lines)] == [(390.0, 295.0, 810.0, 335.0)]


def test_rows_of_one_display_merge_past_a_box_of_the_other_column() -> None:
    # two columns; the right column's display is boxed twice (over two rows, and its lower
    # row alone), and a left-column display lies between the two boxes in top-to-bottom order
    left = [TextLine(PROSE[:40], (100.0, y, 480.0, y + 25.0), 0.99) for y in range(100, 280, 30)]
    right = [TextLine(PROSE[:40], (620.0, y, 1100.0, y + 25.0), 0.99) for y in range(100, 280, 30)]
    upper = TextLine("f(x) = a + b", (720.0, 300.0, 980.0, 325.0), 0.8)
    lower = TextLine("+ c + d", (760.0, 335.0, 960.0, 360.0), 0.8)
    other = TextLine("g = h", (200.0, 310.0, 380.0, 335.0), 0.8)
    lines = sorted([*left, *right, upper, lower, other], key=lambda line: line.bbox[1])
    regions = [
        Region("equation", (720.0, 300.0, 980.0, 360.0), 0.9),
        Region("equation", (200.0, 310.0, 380.0, 335.0), 0.9),
        Region("equation", (760.0, 335.0, 960.0, 360.0), 0.6),
    ]
    boxes = [b.bbox for b in refine_displays(regions, lines)]
    assert sorted(boxes) == [(200.0, 310.0, 380.0, 335.0), (720.0, 300.0, 980.0, 360.0)]


def _two_columns(*extra: TextLine) -> list[TextLine]:
    """A two-column page whose text block is off the inked width's centre: columns at
    x=100-600 and x=640-1140 (the middle of the block 620, of the inked width 570), so the
    left column's lines end past ``width / 2``."""
    left = [TextLine(PROSE, (100.0, y, 600.0, y + 30.0), 0.99) for y in (100.0, 140.0, 180.0)]
    right = [TextLine(PROSE, (640.0, y, 1140.0, y + 30.0), 0.99) for y in (100.0, 140.0, 180.0)]
    return sorted([*left, *right, *extra], key=lambda line: (line.bbox[1], line.bbox[0]))


def test_columns_split_at_the_middle_of_the_text_block() -> None:
    # a right-column display whose number the left column's prose must not claim, and a
    # left-column prose box the right column's number must not turn into a display
    formula = TextLine("K' = Σ_n |s + nL⟩", (760.0, 300.0, 1000.0, 330.0), 0.8)
    lines = _two_columns(formula, TextLine("(7)", (1100.0, 300.0, 1140.0, 330.0), 0.99))
    regions = [
        Region("equation", (755.0, 296.0, 1005.0, 334.0), 0.8),
        Region("text", (100.0, 290.0, 600.0, 340.0), 0.9),
    ]
    lines.append(TextLine(PROSE, (100.0, 300.0, 600.0, 330.0), 0.99))
    boxes = [b.bbox for b in refine_displays(regions, sorted(lines, key=lambda x: x.bbox[1]))]
    assert boxes == [(755.0, 296.0, 1005.0, 334.0)]


def test_a_number_read_into_its_display_row_is_detached() -> None:
    # RapidOCR read "V(k). (11)" as one line: the number still ends the display
    row = TextLine("= e^{2im} V(k, t). (11)", (700.0, 300.0, 1100.0, 330.0), 0.9)
    lines = _page(row)
    boxes = refine_displays([Region("equation", (690.0, 296.0, 1100.0, 334.0), 0.8)], lines)
    assert len(boxes) == 1 and boxes[0].bbox[2] < 1100.0 - 40.0
    sentence = TextLine(
        "which we solve as shown in the proof of (11)", (100.0, 400.0, 1100.0, 430.0), 0.99
    )
    assert refine_displays([], _page(sentence)) == [], "a sentence ending in (n) stays prose"


def test_a_row_opening_with_a_relation_takes_the_left_side_above_it() -> None:
    # multline: the left side flush left, the continuation row opening with "=" under it
    lead = TextLine("[L_m, V(k, t)]", (150.0, 300.0, 400.0, 330.0), 0.9)
    rest = TextLine("= e^{2im} V(k, t)", (600.0, 335.0, 1000.0, 365.0), 0.9)
    lines = _page(lead, rest, _number("(11)", 335.0))
    boxes = refine_displays([Region("equation", (595.0, 333.0, 1005.0, 367.0), 0.8)], lines)
    assert [b.bbox for b in boxes] == [(150.0, 300.0, 1005.0, 367.0)]


def test_a_display_cut_from_the_prose_above_it_keeps_none_of_its_ink() -> None:
    # the model's box over a short lead-in line and the display under it: once the prose row
    # is cut off, trimming to the ink must not widen the box back to the prose's last pixels
    pixels = np.full((1000, 1200), 255, dtype=np.uint8)
    pixels[200:232, 130:330] = 0  # "This leads to", its line box overlapping the display's
    pixels[226:290, 500:800] = 0  # the display
    lead = TextLine("This leads to", (130.0, 200.0, 330.0, 232.0), 0.99)
    display = TextLine("Φ = (Φ1 0 ; 0 Φ2) + Σ_i α_i β_i", (500.0, 226.0, 800.0, 290.0), 0.8)
    lines = _page(lead, display)
    boxes = refine_displays(
        [Region("equation", (110.0, 195.0, 810.0, 295.0), 0.6)], lines, pixels=pixels
    )
    assert [b.bbox[0] for b in boxes] == [500.0] and boxes[0].confidence == 0.6


def test_a_lead_in_line_over_a_fractions_numerator_stays_prose() -> None:
    # "This leads to" ends a few pixels into the numerator of the display under it: the
    # sentence and the numerator are not one row, and the display keeps its numerator
    lead = TextLine("This leads to", (130.0, 200.0, 330.0, 236.0), 0.99)
    numerator = TextLine("16πG", (560.0, 216.0, 620.0, 262.0), 0.8)
    left = TextLine("{λ(x), λ(y)} = (", (400.0, 232.0, 560.0, 280.0), 0.8)
    right = TextLine(")δ(x−y)", (620.0, 232.0, 760.0, 280.0), 0.8)
    denominator = TextLine("32", (570.0, 262.0, 600.0, 292.0), 0.8)
    lines = _page(lead, numerator, left, right, denominator, _number("(2)", 240.0))
    rows = _rows(lines, [(100.0, 1100.0)])
    assert [line.text for line in rows[2]] == ["This leads to"]
    assert {line.text for line in rows[3]} >= {"16πG", "32", ")δ(x−y)"}
    boxes = refine_displays([Region("equation", (120.0, 196.0, 770.0, 296.0), 0.6)], lines)
    assert len(boxes) == 1 and 236.0 <= boxes[0].bbox[1] < 250.0


def test_a_number_a_wide_space_from_a_display_read_as_words_is_detached() -> None:
    # the display's words ("vrestored", "vbroken") make it prose by its text; the quad before
    # its number is wider than any word space, so the number is still its own
    pixels = np.full((1000, 1200), 255, dtype=np.uint8)
    pixels[302:328, 420:980] = 0  # the display's ink
    pixels[302:328, 1055:1095] = 0  # "(9)", 75 px (2.5 line heights) to its right
    row = TextLine(
        "vrestored(h, Bc) − vbroken(h, φc, Bc) restored (9)", (420.0, 300.0, 1100.0, 330.0), 0.9
    )
    # the model calls it text: its number makes it a display
    region = [Region("text", (410.0, 296.0, 1000.0, 334.0), 0.8)]
    boxes = refine_displays(region, _page(row), pixels=pixels)
    assert len(boxes) == 1 and boxes[0].bbox[2] <= 1000.0
    # a sentence's number is a word space from its last word: no number, no display
    pixels[402:428, 100:1100] = 0
    pixels[402:428, 1000:1010] = 255
    sentence = TextLine(
        "which we solve as shown in the proof of (11)", (100.0, 400.0, 1100.0, 430.0), 0.99
    )
    assert refine_displays([], _page(sentence), pixels=pixels) == []


def test_two_numbered_displays_are_cut_at_the_top_of_the_lower_row() -> None:
    # the lower display's numerator reaches above its number: the cut between the two
    # numbered rows follows the row, not the middle between the numbers
    upper = TextLine("A = A + ∂φ", (500.0, 300.0, 700.0, 330.0), 0.9)
    numerator = TextLine("h²", (420.0, 332.0, 460.0, 366.0), 0.8)
    lower = TextLine("tan 2θ = V(h, B) − W(h, φ, B)", (440.0, 346.0, 980.0, 380.0), 0.9)
    lines = _page(upper, numerator, lower, _number("(8)", 300.0), _number("(9)", 348.0))
    boxes = refine_displays([Region("equation", (410.0, 296.0, 1000.0, 384.0), 0.8)], lines)
    assert [b.bbox[1::2] for b in boxes] == [(296.0, 332.0), (332.0, 384.0)]


def test_a_box_cut_a_few_pixels_into_the_sentence_above_takes_none_of_it() -> None:
    # the model's box starts inside the lead-in sentence's line: too little of that line lies
    # in the box to be one of its rows, but widened along its rows to their ink the box took
    # the whole sentence; its top moves under the sentence first
    pixels = np.full((1000, 1200), 255, dtype=np.uint8)
    pixels[204:230, 130:700] = 0  # "and where finite meets distribute over arbitrary joins:"
    pixels[252:298, 500:800] = 0  # the display
    lead = TextLine(
        "and where finite meets distribute over arbitrary joins:",
        (130.0, 200.0, 700.0, 232.0),
        0.99,
    )
    display = TextLine("U ∧ ⋁V_i = ⋁(U ∧ V_i).", (500.0, 250.0, 800.0, 300.0), 0.8)
    lines = _page(lead, display)
    boxes = refine_displays(
        [Region("equation", (490.0, 202.0, 810.0, 305.0), 0.6)], lines, pixels=pixels
    )
    assert [b.bbox for b in boxes] == [(500.0, 252.0, 800.0, 298.0)]
    # and as much from the sentence under a display
    pixels[:] = 255
    pixels[202:248, 500:800] = 0  # the display
    pixels[270:296, 100:1100] = 0  # "where the meets are ..."
    display = TextLine("U ∧ ⋁V_i = ⋁(U ∧ V_i).", (500.0, 200.0, 800.0, 250.0), 0.8)
    after = TextLine(
        "where the meets are taken over every finite family", (100.0, 266.0, 1100.0, 298.0), 0.99
    )
    boxes = refine_displays(
        [Region("equation", (490.0, 195.0, 810.0, 272.0), 0.6)],
        _page(display, after),
        pixels=pixels,
    )
    assert [b.bbox for b in boxes] == [(500.0, 202.0, 800.0, 248.0)]


def test_a_weak_equation_box_outlines_its_display_before_a_surer_text_box() -> None:
    # the model calls the lead-in sentence and the numbered display under it one text block
    # (0.61) and the display alone an equation under its cut (0.48): the display is the
    # equation box, not the block with the sentence
    pixels = np.full((1000, 1200), 255, dtype=np.uint8)
    pixels[204:230, 100:1100] = 0  # the sentence
    pixels[244:290, 100:260] = 0  # the display, set flush left
    pixels[250:280, 1060:1095] = 0  # "(4)"
    sentence = TextLine(
        "We first construct the density contrast field from the density,",
        (100.0, 200.0, 1100.0, 232.0),
        0.99,
    )
    display = TextLine("δg = ρ/ρ̄ − 1", (100.0, 242.0, 260.0, 292.0), 0.8)
    regions = [
        Region("text", (100.0, 215.0, 1100.0, 290.0), 0.61),
        Region("equation", (98.0, 240.0, 262.0, 292.0), 0.48),
    ]
    lines = _page(sentence, display, _number("(4)", 250.0))
    boxes = refine_displays(regions, lines, pixels=pixels)
    assert [b.bbox for b in boxes] == [(100.0, 244.0, 260.0, 290.0)]


def test_a_box_over_a_few_words_inside_a_prose_line_is_that_line() -> None:
    # the model calls the middle of a prose line "text" (0.48) and the box is centred: it
    # holds no half of the line, but half of it lies in the line, so the line's words judge
    # it (widened to its ink it became the whole sentence)
    sentence = TextLine(
        "In practice, we fix q from the pre-training and only minimise over the policy",
        (100.0, 300.0, 1100.0, 330.0),
        0.99,
    )
    regions = [Region("text", (420.0, 306.0, 780.0, 326.0), 0.48)]
    assert refine_displays(regions, _page(sentence)) == []
    # an equation box over a phrase of inline math in a prose line is no display either
    regions = [Region("equation", (420.0, 306.0, 780.0, 326.0), 0.9)]
    assert refine_displays(regions, _page(sentence)) == []


def test_a_misread_number_inside_a_figure_is_an_axis_label() -> None:
    # "(z)q", an axis label read beside tick labels at the figure's right edge, is set as a
    # misread number is; inside a sure figure it marks no display row (a clean "(3)" would)
    ticks = TextLine("b(z) ∝ D(z)", (500.0, 600.0, 900.0, 630.0), 0.8)
    label = TextLine("(z)q", (1060.0, 600.0, 1100.0, 630.0), 0.6)
    figure = [Region("figure", (100.0, 550.0, 1100.0, 700.0), 0.95)]
    assert refine_displays(figure, _page(ticks, label)) == []
    number = TextLine("(3)", (1060.0, 600.0, 1100.0, 630.0), 0.9)
    assert len(refine_displays(figure, _page(ticks, number))) == 1


def test_a_page_of_paragraphs_the_model_calls_a_figure_keeps_its_displays() -> None:
    # a "figure" over paragraphs of prose with a display between them is a page of text:
    # the centred row that is not words is a display; a plot's figure with its labels is not
    paragraph = [
        TextLine(PROSE, (100.0, y, 1100.0, y + 30.0), 0.99)
        for y in (200.0, 240.0, 280.0, 400.0, 440.0, 480.0)
    ]
    display = TextLine(
        "Tm Γ (Σ (x : A) B) ≈ (t : Tm Γ A) × Tm Γ B", (350.0, 340.0, 850.0, 370.0), 0.8
    )
    figure = [Region("figure", (100.0, 195.0, 1100.0, 515.0), 0.6)]
    boxes = refine_displays(figure, _page(*paragraph, display))
    assert [b.bbox for b in boxes] == [(350.0, 340.0, 850.0, 370.0)]
    plot = [Region("figure", (300.0, 330.0, 900.0, 380.0), 0.6)]
    assert refine_displays(plot, _page(*paragraph, display)) == []


def test_an_equation_box_the_model_also_calls_a_surer_figure_is_a_diagram() -> None:
    # a block diagram's labels (S+w, x, G, K): the model boxes it as an equation (0.65) and,
    # surer, as a figure (0.83); with a number on its rows it would still be a display
    labels = [
        TextLine("S+w", (560.0, 300.0, 640.0, 330.0), 0.8),
        TextLine("δy → G", (420.0, 360.0, 780.0, 390.0), 0.8),
        TextLine("K", (580.0, 420.0, 620.0, 450.0), 0.8),
    ]
    regions = [
        Region("figure", (410.0, 295.0, 790.0, 455.0), 0.83),
        Region("equation", (412.0, 297.0, 788.0, 453.0), 0.65),
    ]
    assert refine_displays(regions, _page(*labels)) == []
    numbered = refine_displays(regions, _page(*labels, _number("(5)", 360.0)))
    assert len(numbered) == 1


def test_a_box_under_one_it_overlaps_across_never_merges_with_a_box_beside_it() -> None:
    # a page whose two columns were not told apart: a left-column display ends where a
    # right-column display starts, under the right column's numbered display above it; the
    # stacked rows of a multline merge only where no box above overlaps across
    lines = _page(_number("(1)", 265.0), _number("(2)", 310.0))
    regions = [
        Region("equation", (650.0, 260.0, 1000.0, 300.0), 0.9),
        Region("equation", (200.0, 290.0, 500.0, 302.0), 0.9),
        Region("equation", (650.0, 302.0, 1000.0, 340.0), 0.9),
    ]
    boxes = [b.bbox for b in refine_displays(regions, lines)]
    assert (650.0, 302.0, 1000.0, 340.0) in boxes and len(boxes) == 3


def test_a_page_number_under_the_last_display_is_no_part_of_its_box() -> None:
    # the model's box of a page's last display takes the page number under it; the number,
    # alone on the page's last line and set off from the text, is cut away
    pixels = np.full((1000, 1200), 255, dtype=np.uint8)
    pixels[785:835, 400:800] = 0  # the display's ink
    pixels[885:905, 592:608] = 0  # the page number "8"
    lines = [
        TextLine(PROSE, (100.0, 100.0, 1100.0, 130.0), 0.99),
        TextLine(PROSE, (100.0, 140.0, 1100.0, 170.0), 0.99),
        TextLine(PROSE, (100.0, 700.0, 1100.0, 730.0), 0.99),
        TextLine("dΓ = |M|² (1 + h s) dLips", (400.0, 790.0, 800.0, 830.0), 0.8),
        TextLine("8", (590.0, 880.0, 610.0, 910.0), 0.99),
    ]
    model = Region("equation", (390.0, 775.0, 810.0, 915.0), 0.9)
    boxes = refine_displays([model], lines, pixels=pixels)
    assert [b.bbox for b in boxes] == [(400.0, 785.0, 800.0, 835.0)]
    # a last line that is no page number (a display's own row) is kept
    lines[-1] = TextLine("= x + y", (560.0, 880.0, 640.0, 910.0), 0.8)
    boxes = refine_displays([model], lines, pixels=pixels)
    assert [b.bbox for b in boxes] == [(400.0, 785.0, 800.0, 905.0)]


def test_columns_split_at_the_gutter_past_a_line_wider_than_its_column() -> None:
    # a right-column display reaching 200 px past the text block (an overfull display) moved
    # the block's middle to 720, past where the right column's lines start: no line but the
    # wide one crosses the gutter at 600-640
    wide = TextLine(
        "ψ^n = (ψ_n(p_1, ..., p_n)), φ^n = (φ_n(p_1, ..., p_n))", (700.0, 300.0, 1340.0, 330.0), 0.8
    )
    lines = _two_columns(wide)
    assert _columns(lines, max(line.bbox[2] for line in lines)) == [
        (100.0, 600.0),
        (640.0, 1340.0),
    ]
    # one column of prose has no gutter: every line crosses its middle
    assert _columns(_page(), 1100.0) == [(100.0, 1100.0)]


def test_rows_of_one_display_found_in_pieces_are_one_display() -> None:
    # four rows of an unnumbered display: the model calls the first two text (weakly), the
    # lines alone find the last two; a row's space apart, nothing between: one display
    rows = [
        TextLine(text, (420.0, y, 780.0, y + 30.0), 0.8)
        for text, y in (
            ("d(x, y) ≤ q ∧ q ≤ r ⇒ d(x, y) ≤ r", 300.0),
            ("d(x, x) ≤ 0", 338.0),
            ("d(x, y) ≤ 0 ⇒ x = y", 376.0),
            ("d(x, y) ≤ q ⇒ d(y, x) ≤ q", 414.0),
        )
    ]
    text = Region("text", (418.0, 298.0, 782.0, 370.0), 0.3)
    boxes = [b.bbox for b in refine_displays([text], _page(*rows))]
    assert boxes == [(418.0, 298.0, 782.0, 444.0)]
    # a sentence between the pieces parts two displays
    between = TextLine(PROSE, (100.0, 376.0, 1100.0, 406.0), 0.99)
    lower = [
        TextLine(r.text, (420.0, y, 780.0, y + 30.0), 0.8)
        for r, y in zip(rows[2:], (414.0, 452.0), strict=True)
    ]
    boxes = [b.bbox[1::2] for b in refine_displays([text], _page(*rows[:2], between, *lower))]
    assert boxes == [(298.0, 370.0), (414.0, 482.0)]


def _left_number(text: str, y: float) -> TextLine:
    return TextLine(text, (100.0, y, 160.0, y + 30.0), 0.98)


def test_numbers_set_on_the_left_part_displays_and_stay_out_of_them() -> None:
    # leqno (the AMS classes' default): "(2.1)" and "(2.2)" at the column's left edge; one
    # model box over both displays is two, each starting after its number
    lines = _page(
        TextLine("K = m / (p + 1)!", (400.0, 300.0, 800.0, 330.0), 0.8),
        TextLine("Σ N_α N_β = 2g - β^2", (450.0, 345.0, 750.0, 375.0), 0.8),
        _left_number("(2.1)", 300.0),
        _left_number("(2.2)", 345.0),
    )
    boxes = [
        b.bbox
        for b in refine_displays([Region("equation", (90.0, 296.0, 810.0, 379.0), 0.9)], lines)
    ]
    assert len(boxes) == 2
    assert all(box[0] > 160.0 for box in boxes), "the numbers are not part of the displays"
    assert boxes[0][3] <= boxes[1][1]
    # a "(n)" inside a display's row, away from the column's edge, is no number of it
    inside = _page(
        TextLine("ρ = (414) Σ u", (400.0, 300.0, 800.0, 330.0), 0.8),
        TextLine("(414)", (300.0, 300.0, 360.0, 330.0), 0.8),
    )
    boxes = [
        b.bbox
        for b in refine_displays([Region("equation", (290.0, 296.0, 810.0, 334.0), 0.9)], inside)
    ]
    assert boxes == [(290.0, 296.0, 810.0, 334.0)]


def test_a_multline_boxed_row_by_row_under_a_display_is_one_display() -> None:
    # a multline's first row set left and its last set right, a row's space apart, each
    # boxed on its own; the last row overlaps across a display further up the column, which
    # is no part of it
    lines = _page(_number("(3)", 420.0))
    regions = [
        Region("equation", (400.0, 250.0, 800.0, 290.0), 0.9),
        Region("equation", (160.0, 380.0, 500.0, 408.0), 0.8),
        Region("equation", (650.0, 420.0, 1040.0, 450.0), 0.8),
    ]
    boxes = [b.bbox for b in refine_displays(regions, lines)]
    assert boxes == [(400.0, 250.0, 800.0, 290.0), (160.0, 380.0, 1040.0, 450.0)]


def _left_numbered_displays(start: int) -> list[tuple[float, float, float, float]]:
    """fleqn with leqno: numbers "(1)", "(2)" at the column's left edge (x 100-150), their
    display rows from x = ``start``, each read by the OCR with its number as one line
    ("(1)QL-LQ="); the display boxes found."""
    pixels = np.full((1000, 1200), 255, dtype=np.uint8)
    for top in (302, 347):
        pixels[top : top + 26, 100:150] = 0  # "(1)", "(2)"
        pixels[top : top + 26, start:690] = 0  # the display row
    row = TextLine("(1)QL-LQ= Δa H δφ", (100.0, 300.0, 700.0, 330.0), 0.8)
    other = TextLine("(2)f=g+h", (100.0, 345.0, 700.0, 375.0), 0.8)
    region = [Region("equation", (100.0, 296.0, 710.0, 379.0), 0.9)]
    return [b.bbox for b in refine_displays(region, _page(row, other), pixels=pixels)]


def test_a_number_set_on_the_left_read_with_its_display_row_is_detached() -> None:
    # the display row set a quad and more after its number (50 px, 1.7 lines): the number
    # parts it from the next display
    boxes = _left_numbered_displays(200)
    assert len(boxes) == 2 and all(box[0] >= 200.0 for box in boxes)
    # an enumerated item "(1) a set of sorts: X, Y" is a word space from its label: one line
    item = np.full((1000, 1200), 255, dtype=np.uint8)
    item[302:328, 100:600] = 0
    item[302:328, 150:158] = 255
    line = TextLine("(1) a set of sorts: X, Y, Z", (100.0, 300.0, 600.0, 330.0), 0.99)
    assert refine_displays([], _page(line), pixels=item) == []


def test_a_row_of_names_in_a_model_equation_box_is_no_prose_row_to_cut() -> None:
    # the OCR makes words of a display's names ("Stage : Types -> ..."): the row is prose by
    # is_prose, but set in from the column's edge inside a box the model called an equation
    # (scored under its cut, recovered as not mostly words) it is cut out only with
    # EQUATION_PROSE_SHARE of it in words; a paragraph's line at the edge is cut out as before
    names = TextLine(  # as RapidOCR reads them (Ty_{0,j} as "Tyo,j"): 0.64 in words
        "Stage : Tyo,j Γ → Tyoj Γ Stage : Tmo,j Γ A → Tmoj Γ (Stage A)",
        (300.0, 300.0, 900.0, 330.0),
        0.9,
    )
    defs = TextLine("Stage A := |E A| Γ", (300.0, 338.0, 600.0, 368.0), 0.9)
    region = [Region("equation", (295.0, 296.0, 905.0, 372.0), 0.45)]  # under the cut
    assert [b.bbox for b in refine_displays(region, _page(names, defs))] == [
        (295.0, 296.0, 905.0, 372.0)
    ]
    note = TextLine(
        "Note that E(1{y=1}) = z. Using (21) and (22), the last display can be written as",
        (100.0, 300.0, 1100.0, 330.0),
        0.9,
    )
    formula = TextLine("f(x) = Σ w x + b", (400.0, 345.0, 800.0, 375.0), 0.9)
    region = [Region("equation", (100.0, 296.0, 1100.0, 379.0), 0.9)]
    boxes = [b.bbox for b in refine_displays(region, _page(note, formula))]
    assert len(boxes) == 1 and boxes[0][1] >= 330.0


def test_display_rows_with_notes_a_quad_after_them_are_a_display() -> None:
    # an axiom list: each row a formula and, a quad and more after it, its note in words;
    # the notes make each row's text prose, but a sentence's words are a word space apart
    rows = []
    for y in (300.0, 338.0, 376.0):
        rows.append(TextLine("αy ⊢ αx", (400.0, y, 520.0, y + 30.0), 0.9))
        rows.append(
            TextLine("(for each x, y ∈ Q such that x < y)", (600.0, y, 900.0, y + 30.0), 0.9)
        )
    boxes = [b.bbox for b in refine_displays([], _page(*rows))]
    assert boxes == [(400.0, 300.0, 900.0, 406.0)]
    # the same words a word space after the formula are a sentence's: no display
    sentence = [
        TextLine("αy ⊢ αx", (400.0, 300.0, 520.0, 330.0), 0.9),
        TextLine("for each x, y ∈ Q such that x < y", (530.0, 300.0, 830.0, 330.0), 0.9),
    ]
    assert refine_displays([], _page(*sentence)) == []


def test_a_multline_last_row_set_flush_right_joins_its_display() -> None:
    # a multline's last row opens with "=" and is set flush right under a first row the
    # model boxed: it lies past where that box ends, but continues it
    last = TextLine("= Γ(X; P).", (800.0, 345.0, 1040.0, 375.0), 0.9)
    region = [Region("equation", (160.0, 300.0, 500.0, 335.0), 0.9)]
    assert [b.bbox for b in refine_displays(region, _page(last))] == [(160.0, 300.0, 1040.0, 375.0)]


def test_a_number_set_on_the_left_under_a_quad_from_its_row_is_detached() -> None:
    # fleqn with leqno in Computer Modern: the display starts 0.9 line heights (27 px) after
    # the number's ink (the indent less the number's width), a little under a line height
    boxes = _left_numbered_displays(177)
    assert len(boxes) == 2 and all(box[0] >= 177.0 for box in boxes)


def test_rows_set_at_the_pages_display_indent_are_a_display() -> None:
    # fleqn: the page's displays start at one indent from the column's edge, not centred;
    # two rows boxed nowhere, set off from the paragraph above, the lower one starting at
    # that indent and the upper (an aligned row, its left side shorter) right of it
    displays = [
        Region("equation", (160.0, 200.0, 600.0, 230.0), 0.9),
        Region("equation", (160.0, 600.0, 500.0, 630.0), 0.9),
    ]
    lines = [
        TextLine("f(x) = g(x) + h", (160.0, 200.0, 600.0, 230.0), 0.9),
        TextLine("Q(X) = {X, H},", (220.0, 320.0, 450.0, 350.0), 0.9),
        TextLine("{M, φ(k)} = D φ(k),", (160.0, 355.0, 450.0, 385.0), 0.9),
        TextLine("a = b + c", (160.0, 600.0, 500.0, 630.0), 0.9),
    ]
    boxes = [b.bbox for b in refine_displays(displays, _page(*lines))]
    assert (160.0, 320.0, 450.0, 385.0) in boxes
    # the last line of a paragraph at the column's edge, no words by the share: the
    # paragraph's line above touches it, so it is set off from nothing
    tail = TextLine("l modes in A1.", (100.0, 170.0, 200.0, 199.0), 0.9)
    assert len(refine_displays(displays, _page(*lines, tail))) == len(boxes)


def test_a_number_read_into_the_next_columns_line_is_detached_at_the_gutter() -> None:
    # two columns; the left column's display numbers (2) and (3) sit at its right edge, and
    # the OCR reads "(3)" with the right column's words as one line starting in the gutter
    prose = [
        TextLine(PROSE[:40], (x, y, x + 480.0, y + 30.0), 0.99)
        for x in (100.0, 620.0)
        for y in (100.0, 140.0, 180.0, 600.0, 640.0)
    ]
    lines = [
        *prose,
        TextLine("ψ = (ψ1 ψ2)", (250.0, 300.0, 420.0, 340.0), 0.9),
        TextLine("(2)", (545.0, 305.0, 580.0, 335.0), 0.9),
        TextLine("ε[φ, R] = ε1[φ, R] + ε2[φ, R],", (200.0, 350.0, 470.0, 380.0), 0.9),
        TextLine("(3) efficient fixed.", (545.0, 350.0, 800.0, 380.0), 0.9),
        TextLine(PROSE[:40], (620.0, 310.0, 1100.0, 340.0), 0.99),
    ]
    pixels = np.full((1000, 1200), 255, dtype=np.uint8)
    region = [Region("equation", (190.0, 295.0, 480.0, 385.0), 0.9)]
    boxes = [b.bbox for b in refine_displays(region, lines, pixels=pixels)]
    assert len(boxes) == 2


def test_rows_above_a_display_found_by_its_lines_join_it_only_as_its_first_rows() -> None:
    # a multline boxed nowhere, numbered on its last row: its first row, not words and set
    # off from the paragraph above, is the display's
    first = TextLine("2P · ∂f(X; P) − {f(X; P), ReΣ(X; P)}", (150.0, 300.0, 700.0, 330.0), 0.9)
    last = TextLine("= Ř(X; P).", (800.0, 335.0, 1040.0, 365.0), 0.9)
    boxes = [b.bbox for b in refine_displays([], _page(first, last, _number("(3)", 335.0)))]
    assert boxes == [(150.0, 300.0, 1040.0, 365.0)]
    # a paragraph's line dense with math, touching the line above it, is no first row of
    # the centred display under it
    line = TextLine(
        "α(1) = 1} and W = {α ∈ 2N |∃n ∈ N. α(n) = 1} are open and the sets",
        (100.0, 172.0, 1000.0, 202.0),
        0.9,
    )
    display = TextLine("A := {α ∈ 2N | ∀n ∈ N. α(n) = 0}", (400.0, 210.0, 800.0, 240.0), 0.9)
    assert [b.bbox for b in refine_displays([], _page(line, display))] == [
        (400.0, 210.0, 800.0, 240.0)
    ]


def test_a_short_line_opening_a_sentence_under_a_display_is_cut_off() -> None:
    # "with {M, φ(k)} fixed.": under half its characters in words, but a line at the
    # column's edge opening with a word in lower case goes on with the sentence
    display = TextLine("ds2 = M2r2 g dx dx + dr2 + Δ dφ2,", (400.0, 300.0, 800.0, 330.0), 0.9)
    tail = TextLine("with {Mµν, φ(k)} fixed.", (100.0, 338.0, 330.0, 368.0), 0.9)
    region = [Region("equation", (100.0, 296.0, 810.0, 372.0), 0.9)]
    boxes = [b.bbox for b in refine_displays(region, _page(display, tail))]
    assert len(boxes) == 1 and boxes[0][3] <= 338.0
    # a display set at the edge opening with an operator's name stays one
    wide = TextLine("max f(x) = Σ w x + b", (100.0, 338.0, 700.0, 368.0), 0.9)
    boxes = [b.bbox for b in refine_displays(region, _page(display, wide))]
    assert boxes == [(100.0, 296.0, 810.0, 372.0)]


def test_a_box_without_area_is_no_display() -> None:
    # a detector box of no width or no height holds nothing to read: it was returned as a
    # display of no height, or refine_displays raised on an empty max() when joining boxes
    lines = _page(_number("(1)", 300.0))
    for box in [(400.0, 300.0, 400.0, 330.0), (400.0, 300.0, 800.0, 300.0)]:
        assert refine_displays([Region("equation", box, 0.9)], lines) == []
