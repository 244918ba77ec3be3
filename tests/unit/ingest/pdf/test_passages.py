import pytest

from scipix_search.exceptions import CorruptInputError, InputTooLargeError
from scipix_search.ingest import parse_pdf, sha256_bytes
from tests.factories import LOREM, ZERO_PAGE_PDF, encrypted_pdf, make_pdf


def _parse(data: bytes, name: str = "t.pdf", max_pages: int = 100):
    return parse_pdf(data, name, sha256_bytes(data), max_pages=max_pages)


def test_parse_pdf_drops_running_headers_and_page_numbers():
    data = make_pdf([[LOREM], [LOREM + " Second page."], [LOREM + " Third page."]])
    doc = _parse(data)
    texts = [p.text for p in doc.passages]
    assert doc.page_count == 3
    assert len(texts) == 3
    assert not any("Journal of Tests" in t for t in texts)
    assert [p.page for p in doc.passages] == [1, 2, 3]
    assert all(p.bbox is not None and p.bbox[0] >= 70 for p in doc.passages)


def test_parse_pdf_joins_end_of_line_hyphenation():
    data = make_pdf(
        [["The discre-\ntization of the Laplace operator uses a five-point stencil here."]],
        header=None,
    )
    (passage,) = _parse(data).passages
    assert "discretization" in passage.text
    assert "five-point" in passage.text


def test_parse_pdf_title_from_largest_text_when_metadata_is_empty():
    data = make_pdf([[LOREM]], title="Spectral Methods in Practice")
    assert _parse(data).title == "Spectral Methods in Practice"


def test_parse_pdf_title_from_metadata_only_when_page_one_prints_it():
    # a metadata title the page does not print is a template's or a tool's, not the paper's
    data = make_pdf([[LOREM]], title="Big Text", metadata_title="A Real Title of a Paper")
    assert _parse(data).title == "Big Text"


def test_parse_pdf_ignores_file_name_metadata_title():
    data = make_pdf([[LOREM]], title="Visible Title", metadata_title="draft_v3.dvi")
    assert _parse(data).title == "Visible Title"


def test_parse_pdf_truncated_fails_with_reason():
    data = make_pdf([[LOREM], [LOREM]])
    with pytest.raises(CorruptInputError, match="t.pdf"):
        _parse(data[: len(data) // 2])


def test_parse_pdf_encrypted_fails_with_reason():
    with pytest.raises(CorruptInputError, match="encrypted"):
        _parse(encrypted_pdf())


def test_parse_pdf_zero_pages_fails_with_reason():
    with pytest.raises(CorruptInputError, match="no pages"):
        _parse(ZERO_PAGE_PDF)


def test_parse_pdf_too_many_pages_fails():
    with pytest.raises(InputTooLargeError, match="pages exceeds"):
        _parse(make_pdf([[LOREM], [LOREM], [LOREM]]), max_pages=2)


def test_passages_outside_drops_display_blocks_and_renumbers():
    from scipix_search.ingest import ParsedPassage, passages_outside

    passages = [
        ParsedPassage("Prose that leads into the display:", 1, (72, 100, 520, 130), 0),
        # the display's own block, its number at the column's edge outside the region
        ParsedPassage("u = v + w, (3)", 1, (200, 140, 520, 156), 1),
        # MuPDF joined the display to the sentence after it: mostly prose, kept
        ParsedPassage("x = y. Then the sentence goes on for lines", 1, (72, 160, 520, 210), 2),
        # beside the display in the other column: kept
        ParsedPassage("Right column prose.", 1, (560, 138, 800, 158), 3),
        ParsedPassage("Page two prose.", 2, (72, 140, 520, 156), 4),
    ]
    boxes = {1: [(200, 140, 400, 156), (220, 160, 380, 170)]}
    kept = passages_outside(passages, boxes)
    assert [p.text for p in kept] == [
        "Prose that leads into the display:",
        "x = y. Then the sentence goes on for lines",
        "Right column prose.",
        "Page two prose.",
    ]
    assert [p.order for p in kept] == [0, 1, 2, 3]
    assert passages_outside(passages, {}) == passages


def test_parse_pdf_drops_running_heads_set_below_the_margin_band():
    import pymupdf

    doc = pymupdf.open()
    for number in range(1, 5):
        page = doc.new_page(width=595, height=842)
        # a book's head, 17 % down the page: outside the margin band
        page.insert_text((72, 140), f"Heat in thin rods, chapter {number + 40}", fontsize=9)
        body = 200 + 40 * number  # the repeated body sentence moves down page by page
        page.insert_textbox(pymupdf.Rect(72, 170, 523, 230), LOREM, fontsize=11)
        page.insert_textbox(
            pymupdf.Rect(72, body, 523, body + 30),
            "Repeated caption text of a figure.",
            fontsize=11,
        )
    data = doc.tobytes()
    doc.close()
    texts = [p.text for p in _parse(data).passages]
    assert not any("Heat in thin rods" in t for t in texts)
    assert sum(t == "Repeated caption text of a figure." for t in texts) == 4
    assert sum(t.startswith(LOREM[:30]) for t in texts) == 4
