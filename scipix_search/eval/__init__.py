"""Evaluation as library code: the datasets, scorers and tables that benchmarks and tests share.

Benchmarks (``benchmarks/``) and tests import these names; nothing in the pipeline imports
this package (it sits beside ``cli``, outside the one-way flow of the stages).
"""

from scipix_search.eval._datasets import (
    PaperFolder,
    find_pdf,
    paper_folders,
    shared_data_dir,
)
from scipix_search.eval._detection import (
    DetectionCounts,
    display_boxes,
    match_boxes,
    match_pairs,
    score_detection,
)
from scipix_search.eval._inline import InlineScore, score_inline_math
from scipix_search.eval._pdf_equations import PdfEquationScore, score_pdf_equations
from scipix_search.eval._scans import ScanOptions, degrade_page, scan_pdf, text_layer_lines
from scipix_search.eval._tables import print_table

__all__ = [
    "DetectionCounts",
    "InlineScore",
    "PaperFolder",
    "PdfEquationScore",
    "ScanOptions",
    "degrade_page",
    "display_boxes",
    "find_pdf",
    "match_boxes",
    "match_pairs",
    "paper_folders",
    "print_table",
    "score_detection",
    "score_inline_math",
    "scan_pdf",
    "score_pdf_equations",
    "shared_data_dir",
    "text_layer_lines",
]
