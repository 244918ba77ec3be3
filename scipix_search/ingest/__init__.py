"""Ingest stage: source files (PDF, images, LaTeX sources, formula lists) to pages and regions."""

from scipix_search.ingest._detect import ContentType, read_input, sha256_bytes, sniff
from scipix_search.ingest._pdf import open_pdf, parse_pdf
from scipix_search.ingest._types import (
    BBox,
    ParsedDocument,
    ParsedEquation,
    ParsedPage,
    ParsedPassage,
)

__all__ = [
    "BBox",
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
