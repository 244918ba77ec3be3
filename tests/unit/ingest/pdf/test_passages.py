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
