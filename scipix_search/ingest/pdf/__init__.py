"""Born-digital PDFs: passages from the text layer, display equations from glyphs and rules.

``parse_pdf`` reads pages and prose passages; ``find_equation_regions`` locates display
equations and rebuilds their LaTeX from the text layer (crops for the formula OCR where the
glyphs alone do not rebuild them); ``regions_to_equations`` turns regions (and OCR reads) into
``ParsedEquation`` rows; ``page_markdown_blocks`` gives a page's prose with that math in place
(the ``convert`` command's Markdown).
"""

from scipix_search.ingest.pdf._locate import find_equation_regions, page_equation_regions
from scipix_search.ingest.pdf._markdown import page_markdown_blocks
from scipix_search.ingest.pdf._passages import open_pdf, parse_pdf, passages_outside
from scipix_search.ingest.pdf._pixels import render_page
from scipix_search.ingest.pdf._regions import EquationRegion, RegionRow, regions_to_equations
from scipix_search.ingest.pdf._textpage import display_lists

__all__ = [
    "EquationRegion",
    "RegionRow",
    "display_lists",
    "find_equation_regions",
    "open_pdf",
    "page_equation_regions",
    "page_markdown_blocks",
    "parse_pdf",
    "passages_outside",
    "regions_to_equations",
    "render_page",
]
