"""A LaTeX source and the PDF compiled from it, merged into one document.

The source gives exact LaTeX, the PDF gives pages and boxes: source display equations are
aligned to PDF equation regions (by printed number, then by ``math.token_similarity`` in reading order).
"""

from scipix_search.ingest.pair._align import align_source_to_pdf
from scipix_search.ingest.pair._merge import (
    figure_files,
    is_standalone_figure,
    merge_source_and_pdf,
)

__all__ = [
    "align_source_to_pdf",
    "figure_files",
    "is_standalone_figure",
    "merge_source_and_pdf",
]
