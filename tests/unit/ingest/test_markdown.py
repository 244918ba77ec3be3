"""Markdown layout of a page: column reading order, paragraphs, display rows and their numbers."""

from __future__ import annotations

from scipix_search.ingest import (
    BBox,
    DisplayBlock,
    ParsedEquation,
    TextBlock,
    display_blocks,
    document_markdown,
    markdown_displays,
    ocr_blocks,
    page_markdown,
    reading_order,
)

WIDTH = 612.0  # US letter, points
LEFT = (72.0, 300.0)  # a column's x0, x1
RIGHT = (312.0, 540.0)


def _box(column: tuple[float, float], top: float, height: float = 40.0) -> BBox:
    return (column[0], top, column[1], top + height)


def test_reading_order_reads_the_left_column_before_the_right() -> None:
    boxes: list[BBox] = [
        _box(RIGHT, 100),  # 0
        _box(LEFT, 100),  # 1
        _box(RIGHT, 150),  # 2
        _box(LEFT, 150),  # 3
        (72.0, 40.0, 540.0, 80.0),  # 4: a title across both columns
    ]
    order = [i for i, _ in reading_order(boxes, WIDTH)]
    assert order == [4, 1, 3, 0, 2]


def test_reading_order_starts_a_band_after_a_box_across_the_columns() -> None:
    boxes: list[BBox] = [
        _box(LEFT, 100),  # 0: above the wide figure
        _box(RIGHT, 100),  # 1
        (72.0, 200.0, 540.0, 300.0),  # 2: a figure across both columns
        _box(LEFT, 320),  # 3: below it
        _box(RIGHT, 320),  # 4
    ]
    pairs = reading_order(boxes, WIDTH)
    assert [i for i, _ in pairs] == [0, 1, 2, 3, 4]
    assert len({section for _, section in pairs}) == 5  # no paragraph runs across them


def test_reading_order_of_one_column_is_top_to_bottom() -> None:
    boxes = [(72.0, 300.0, 540.0, 340.0), (72.0, 100.0, 540.0, 140.0), (72.0, 200.0, 200.0, 210.0)]
    assert [i for i, _ in reading_order(boxes, WIDTH)] == [1, 2, 0]


def test_display_blocks_write_the_rows_of_a_display_not_its_whole() -> None:
    whole = ParsedEquation("a=b \\\\ c=d", 1, (100.0, 100.0, 300.0, 140.0), True, "pdf")
    rows = [
        ParsedEquation("a=b", 1, (110.0, 100.0, 290.0, 118.0), True, "pdf", number="3"),
        ParsedEquation("c=d", 1, (110.0, 122.0, 290.0, 140.0), True, "pdf", number="4"),
    ]
    single = ParsedEquation("e=f", 1, (100.0, 200.0, 300.0, 220.0), True, "pdf", number="5")
    inline = ParsedEquation("x", 1, (80.0, 90.0, 85.0, 95.0), False, "pdf")
    blocks = display_blocks([whole, *rows, single, inline])
    assert [b.rows for b in blocks] == [("a=b", "c=d"), ("e=f",)]
    assert [b.numbers for b in blocks] == [("3", "4"), ("5",)]


def test_markdown_displays_reads_back_the_rows_without_their_tags() -> None:
    displays = [
        DisplayBlock((100.0, 100.0, 300.0, 140.0), ("a=b", "c=d"), ("3", None)),
        DisplayBlock((100.0, 200.0, 300.0, 220.0), ("e=f",), ("2.1",)),
    ]
    text = [TextBlock((72.0, 150.0, 540.0, 190.0), ("where the rows",))]
    markdown = document_markdown([(1, page_markdown(text, displays, WIDTH))])
    assert "$$ a=b \\tag{3} $$\n$$ c=d $$" in markdown
    assert "$$ e=f \\tag{2.1} $$" in markdown
    assert markdown.startswith("<!-- page 1 -->\n")
    assert markdown_displays(markdown) == [["a=b", "c=d"], ["e=f"]]


def test_page_markdown_joins_a_paragraph_set_one_line_a_block() -> None:
    # a double-spaced draft: each line its own block, further apart than a block's lines
    lines = [
        TextBlock(
            (90.0, 100.0, 540.0, 110.0),
            ("The first line of a para-",),
            last=(90.0, 100.0, 540.0, 110.0),
        ),
        TextBlock(
            (72.0, 121.0, 540.0, 131.0), ("graph runs on here",), last=(72.0, 121.0, 540.0, 131.0)
        ),
        TextBlock((72.0, 142.0, 300.0, 152.0), ("and ends.",), last=(72.0, 142.0, 300.0, 152.0)),
        TextBlock(
            (90.0, 163.0, 540.0, 173.0), ("Next paragraph.",), last=(90.0, 163.0, 540.0, 173.0)
        ),
    ]
    assert page_markdown(lines, [], WIDTH) == (
        "The first line of a paragraph runs on here and ends.\n\nNext paragraph."
    )


def test_ocr_blocks_group_lines_by_column_and_gap() -> None:
    lines: list[tuple[BBox, str]] = [
        ((312.0, 100.0, 540.0, 110.0), "right one"),
        ((72.0, 100.0, 300.0, 110.0), "left one"),
        ((312.0, 112.0, 540.0, 122.0), "right two"),
        ((72.0, 112.0, 300.0, 122.0), "left two"),
        ((72.0, 160.0, 300.0, 170.0), "left new paragraph"),
    ]
    blocks = ocr_blocks(lines, WIDTH)
    assert [b.lines for b in blocks] == [
        ("left one", "left two"),
        ("left new paragraph",),
        ("right one", "right two"),
    ]


def test_ocr_blocks_cut_a_line_the_detector_ran_across_both_columns() -> None:
    lines: list[tuple[BBox, str]] = [
        ((72.0, 100.0, 300.0, 110.0), "left one"),
        ((312.0, 100.0, 540.0, 110.0), "right one"),
        ((72.0, 112.0, 540.0, 122.0), "left two right two"),  # both columns in one box
        ((72.0, 124.0, 300.0, 134.0), "left three"),
        ((312.0, 124.0, 540.0, 134.0), "right three"),
        ((72.0, 40.0, 540.0, 60.0), "A title across both columns"),
    ]
    blocks = ocr_blocks(lines, WIDTH)
    assert [b.lines for b in blocks] == [
        ("A title across both columns",),
        ("left one", "left two", "left three"),
        ("right one", "right two", "right three"),
    ]


def test_page_markdown_gives_a_number_beside_a_display_to_it() -> None:
    display = DisplayBlock((200.0, 100.0, 400.0, 130.0), ("a=b",), (None,))
    texts = [
        TextBlock((500.0, 105.0, 520.0, 120.0), ("(7)",)),  # OCR: the number as a line
        TextBlock((72.0, 140.0, 540.0, 150.0), ("(8) is not beside it",)),
    ]
    markdown = page_markdown(texts, [display], WIDTH)
    assert markdown == "$$ a=b \\tag{7} $$\n\n(8) is not beside it"
