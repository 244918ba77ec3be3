"""A page's text read from its display list: the page's content stream is interpreted once.

MuPDF interprets a page's content stream (operators, fonts, images) every time it makes a
text page, and that interpretation is most of the cost (5 ms a page on the real papers,
against 0.3 ms for a text page made from the recorded display list). The equation finder
reads the page's text twice with different flags (glyph boxes clipped to the page, and the
drawn outlines of tall glyphs) and renders its display crops, and ``parse_pdf`` reads its
prose blocks: one display list serves all four (``display_lists``). The text is the same as
the page's own (rawdict compared on the 419 pages of the real papers, both flag sets; the
blocks and plain text of ``parse_pdf`` too); a rotated page, whose text MuPDF reads
unrotated, reads its own.
"""

from __future__ import annotations

from typing import Any

import pymupdf


def text_page(
    page: pymupdf.Page, flags: int, listed: pymupdf.DisplayList | None
) -> pymupdf.TextPage:
    """``page.get_textpage(flags=flags)``, made from ``listed`` (the page's display list)
    where one is given."""
    if listed is None or page.rotation:
        return page.get_textpage(flags=flags)
    textpage = pymupdf.TextPage(listed.get_textpage(flags=flags))
    textpage.parent = page  # what get_text checks a text page it is handed against
    return textpage


def raw_text(page: pymupdf.Page, flags: int, listed: pymupdf.DisplayList | None) -> dict[str, Any]:
    """``page.get_text("rawdict", flags=flags)``, made from ``listed`` (the page's display
    list) where one is given."""
    if listed is None or page.rotation:
        return page.get_text("rawdict", flags=flags)
    return page.get_text("rawdict", textpage=text_page(page, flags, listed))


def display_lists(doc: pymupdf.Document) -> list[pymupdf.DisplayList]:
    """Each page's display list, for a caller whose readings of a document share them
    (``parse_pdf``'s blocks, ``find_equation_regions``' text and crops)."""
    return [doc[number].get_displaylist() for number in range(doc.page_count)]
