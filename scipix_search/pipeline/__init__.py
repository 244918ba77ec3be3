"""The ingestion pipeline: one input through ingest -> ocr -> math -> embed -> store.

- :class:`Models` (``_models.py``): one lazy, thread-safe registry of the encoders and
  recognizers, built from one ``Settings`` and shared by the indexer, the API, the CLI and the
  worker.
- :func:`parse_input` (``_parse.py``): bytes to a ``ParsedDocument`` by content type, with the
  recognizers an input needs.
- :func:`enrich` (``_enrich.py``): a ``ParsedDocument`` to the records the store writes
  (passage vectors; per equation canonical form, MathML and structural vector).
- :func:`convert_to_markdown` (``_convert.py``): a PDF or image as Markdown, read as
  ingestion reads it (the ``convert`` command).
- :class:`Indexer` (``_indexer.py``): orchestrates the three and ``Store.add_document``.
"""

from scipix_search.pipeline._convert import PageTracker, convert_to_markdown
from scipix_search.pipeline._enrich import Enriched, enrich, enrich_equations
from scipix_search.pipeline._indexer import Indexer, IngestOutcome, Status
from scipix_search.pipeline._models import Models
from scipix_search.pipeline._parse import (
    OCR_MIN_CONFIDENCE,
    SCAN_DPI,
    parse_input,
    parse_pdf_input,
)

__all__ = [
    "OCR_MIN_CONFIDENCE",
    "SCAN_DPI",
    "PageTracker",
    "Enriched",
    "Indexer",
    "IngestOutcome",
    "Models",
    "Status",
    "convert_to_markdown",
    "enrich",
    "enrich_equations",
    "parse_input",
    "parse_pdf_input",
]
