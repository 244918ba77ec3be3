"""A page's text read from its display list is the page's own text (``_textpage``)."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from scipix_search.eval import paper_folders
from scipix_search.ingest import open_pdf, parse_pdf
from scipix_search.ingest.pdf._ink import ink_extents
from scipix_search.ingest.pdf._textpage import display_lists, raw_text, text_page

LINES = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP  # page_lines' flags


@pytest.mark.slow
def test_text_from_the_display_list_equals_the_pages_own_on_real_papers(
    shared_dir: Path,
) -> None:
    pages = same_lines = same_ink = same_blocks = 0
    for paper in paper_folders(shared_dir / "papers"):
        with pymupdf.open(paper.pdf) as doc:
            for page in doc:
                listed = page.get_displaylist()
                pages += 1
                same_lines += raw_text(page, LINES, listed) == page.get_text("rawdict", flags=LINES)
                # with TEXT_ACCURATE_BBOXES, the order of a figure's blocks may differ; the
                # ink the reader takes from that reading may not
                same_ink += ink_extents(page, listed) == ink_extents(page)
                same_blocks += _blocks(page, listed) == _blocks(page, None)
    assert pages > 100
    assert same_lines == same_ink == same_blocks == pages


def _blocks(page: pymupdf.Page, listed: pymupdf.DisplayList | None) -> tuple[str, list]:
    """What ``parse_pdf`` reads of a page: its plain text and its sorted blocks."""
    textpage = text_page(page, pymupdf.TEXTFLAGS_BLOCKS, listed)
    return (
        page.get_text("text", textpage=textpage),
        page.get_text("blocks", sort=True, textpage=textpage),
    )


def test_parse_pdf_from_shared_display_lists_reads_the_same(tmp_path: Path) -> None:
    doc = pymupdf.open()
    prose = (
        "The heat equation describes how heat spreads through a body over time. Its solutions "
        "smooth out every initial temperature profile, and on a bounded interval with fixed "
        "ends they decay exponentially towards the steady state. "
    )
    for n in range(3):
        page = doc.new_page(width=400, height=500)
        page.insert_text((50, 30), f"Running head {n}", fontsize=9)
        page.insert_textbox(pymupdf.Rect(50, 80, 350, 280), prose * 2, fontsize=10)
        page.draw_rect(pymupdf.Rect(50, 300, 200, 400))
    data = doc.tobytes()
    plain = parse_pdf(data, "d.pdf", "0" * 64, max_pages=10)
    opened = open_pdf(data, "d.pdf", max_pages=10)
    shared = parse_pdf(
        data, "d.pdf", "0" * 64, max_pages=10, doc=opened, lists=display_lists(opened)
    )
    assert not opened.is_closed  # the caller's document stays open
    opened.close()
    assert shared == plain
    assert len(plain.passages) >= 3 and all(p.has_text_layer for p in plain.pages)


def test_raw_text_of_a_rotated_page_is_read_from_the_page() -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=200)
    page.insert_text((40, 60), "x + y = 1", fontsize=12)
    page.set_rotation(90)
    listed = page.get_displaylist()
    flags = LINES
    got = raw_text(page, flags, listed)
    assert got == page.get_text("rawdict", flags=flags)
    assert (
        "".join(
            ch["c"]
            for b in got["blocks"]
            for ln in b["lines"]
            for s in ln["spans"]
            for ch in s["chars"]
        )
        == "x + y = 1"
    )
    assert raw_text(page, flags, None) == got
