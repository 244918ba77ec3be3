"""Ingest stage: source files (PDF, images, LaTeX sources, formula lists) to pages and regions."""

from scipix_search.ingest._align import align_source_to_pdf
from scipix_search.ingest._collection import parse_formula_collection
from scipix_search.ingest._detect import ContentType, read_input, sha256_bytes, sniff
from scipix_search.ingest._latex_source import parse_latex_source, read_tex_equations
from scipix_search.ingest._pair import merge_source_and_pdf
from scipix_search.ingest._pdf import open_pdf, parse_pdf
from scipix_search.ingest._pdf_math import find_equation_regions
from scipix_search.ingest._regions import EquationRegion, regions_to_equations
from scipix_search.ingest._types import (
    BBox,
    ParsedDocument,
    ParsedEquation,
    ParsedPage,
    ParsedPassage,
)

__all__ = [
    "BBox",
    "EquationRegion",
    "align_source_to_pdf",
    "find_equation_regions",
    "merge_source_and_pdf",
    "parse_formula_collection",
    "parse_latex_source",
    "read_tex_equations",
    "regions_to_equations",
    "ContentType",
    "ParsedDocument",
    "ParsedEquation",
    "ParsedPage",
    "ParsedPassage",
    "open_pdf",
    "parse_pdf",
    "read_input",
    "sha256_bytes",
    "sniff",
]
