"""A page's text read from its display list: the page's content stream is interpreted once.

MuPDF interprets a page's content stream (operators, fonts, images) every time it makes a
text page, and that interpretation is most of the cost (5 ms a page on the real papers,
against 0.3 ms for a text page made from the recorded display list). The equation finder
reads the page's text twice with different flags (glyph boxes clipped to the page, and the
drawn outlines of tall glyphs) and renders its display crops: one display list serves all
three. The text is the same as the page's own (rawdict compared on the 419 pages of the real
papers, both flag sets); a rotated page, whose text MuPDF reads unrotated, reads its own.
"""

from __future__ import annotations

from typing import Any

import pymupdf


def raw_text(page: pymupdf.Page, flags: int, listed: pymupdf.DisplayList | None) -> dict[str, Any]:
    """``page.get_text("rawdict", flags=flags)``, made from ``listed`` (the page's display
    list) where one is given."""
    if listed is None or page.rotation:
        return page.get_text("rawdict", flags=flags)
    textpage = pymupdf.TextPage(listed.get_textpage(flags=flags))
    textpage.parent = page  # what get_text checks a text page it is handed against
    return page.get_text("rawdict", textpage=textpage)
