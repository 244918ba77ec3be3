"""A page's text read from its display list is the page's own text (``_textpage``)."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from scipix_search.eval import paper_folders
from scipix_search.ingest.pdf._ink import ink_extents
from scipix_search.ingest.pdf._textpage import raw_text

LINES = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP  # page_lines' flags


@pytest.mark.slow
def test_text_from_the_display_list_equals_the_pages_own_on_real_papers(
    shared_dir: Path,
) -> None:
    pages = same_lines = same_ink = 0
    for paper in paper_folders(shared_dir / "papers"):
        with pymupdf.open(paper.pdf) as doc:
            for page in doc:
                listed = page.get_displaylist()
                pages += 1
                same_lines += raw_text(page, LINES, listed) == page.get_text("rawdict", flags=LINES)
                # with TEXT_ACCURATE_BBOXES, the order of a figure's blocks may differ; the
                # ink the reader takes from that reading may not
                same_ink += ink_extents(page, listed) == ink_extents(page)
    assert pages > 100
    assert same_lines == same_ink == pages


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
