"""``convert_to_markdown`` on a real two-column pdflatex page (``fixtures/pdf/two_column.tex``).

The text layer only (``pdf_equation_ocr=off``, no scanned page): no model is loaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.config import Settings
from scipix_search.exceptions import InputError
from scipix_search.ingest import markdown_displays
from scipix_search.math import as_tokens
from scipix_search.pipeline import Models, convert_to_markdown

FIXTURE = Path(__file__).parents[2] / "fixtures" / "pdf" / "two_column.pdf"
# The paragraphs' first words, in the order the page is read (see the fixture's source).
PARAGRAPHS = ("Alpha opens", "Bravo is", "Charlie continues", "Delta opens", "Echo is")


@pytest.fixture(scope="module")
def markdown() -> str:
    settings = Settings(pdf_equation_ocr="off")
    data = FIXTURE.read_bytes()
    return convert_to_markdown(data, FIXTURE.name, settings=settings, models=Models(settings))


def _paragraph_of(markdown: str, words: str) -> int:
    paragraphs = markdown.split("\n\n")
    found = [i for i, p in enumerate(paragraphs) if p.startswith(words)]
    assert len(found) == 1, f"{words!r} opens {len(found)} paragraphs:\n{markdown}"
    return found[0]


def test_convert_reads_the_left_column_before_the_right(markdown: str) -> None:
    where = [_paragraph_of(markdown, words) for words in PARAGRAPHS]
    assert where == sorted(where), markdown
    assert len(set(where)) == len(PARAGRAPHS)  # each its own paragraph
    assert markdown.index("Reading Order of Two Columns") < markdown.index("Alpha opens")


def test_convert_sets_the_display_between_its_paragraphs_with_its_number(markdown: str) -> None:
    paragraphs = markdown.split("\n\n")
    display = next(i for i, p in enumerate(paragraphs) if p.startswith("$$"))
    assert _paragraph_of(markdown, "Bravo is") < display < _paragraph_of(markdown, "Charlie")
    assert paragraphs[display].rstrip().endswith("\\tag{1} $$")
    [[latex]] = markdown_displays(markdown)
    source = r"E(x) = \sum_{i=1}^{n} w_i x_i^2 + \frac{1}{2} \lambda \|x\|^2"
    assert as_tokens(latex) == as_tokens(source)


def test_convert_writes_inline_math_in_its_sentence(markdown: str) -> None:
    assert "energy of a state $x_{i}$ with weight $w$, which" in markdown
    assert "the term with $\\lambda$ adds" in markdown
    # the display's glyphs and its number are not left in the prose
    assert "(1)" not in markdown and "∑" not in markdown


def test_convert_opens_each_page_with_its_number(markdown: str) -> None:
    assert markdown.startswith("<!-- page 1 -->\n\n")
    assert markdown.count("<!-- page") == 1


def test_convert_refuses_a_page_the_document_lacks() -> None:
    settings = Settings(pdf_equation_ocr="off")
    with pytest.raises(InputError, match="page 2 is not in the document"):
        convert_to_markdown(
            FIXTURE.read_bytes(),
            FIXTURE.name,
            settings=settings,
            models=Models(settings),
            pages=[1, 2],
        )


@pytest.mark.slow
@pytest.mark.model
def test_convert_reads_a_page_without_text_layer_by_ocr_column_by_column(tmp_path: Path) -> None:
    """The same page as an image only (a scan): the text OCR's lines, read by column."""
    import pymupdf

    with pymupdf.open(FIXTURE) as source, pymupdf.open() as scan:
        page = source[0]
        pixmap = page.get_pixmap(dpi=150)
        scan.new_page(width=page.rect.width, height=page.rect.height).insert_image(
            page.rect, pixmap=pixmap
        )
        data = scan.tobytes()
    settings = Settings(pdf_equation_ocr="off")
    markdown = convert_to_markdown(data, "scan.pdf", settings=settings, models=Models(settings))
    where = [markdown.find(words) for words in PARAGRAPHS]
    assert -1 not in where, markdown
    assert where == sorted(where), markdown
