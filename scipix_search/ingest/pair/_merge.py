"""A LaTeX source and the PDF compiled from it, as one document.

The source has the exact LaTeX of every equation but no pages; the PDF has pages, passages
with their places and equation regions whose LaTeX is only read back from glyphs. Together:
the PDF's pages and passages, the source's equations placed on the PDF's pages.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from scipix_search.ingest._types import ParsedDocument
from scipix_search.ingest.pair._align import align_source_to_pdf

logger = logging.getLogger(__name__)

_GRAPHICS = re.compile(r"\\includegraphics\s*(?:\[[^\]]*\])?\s*\{([^}]+)\}")
_STANDALONE = re.compile(rb"\\documentclass\s*(?:\[[^\]]*\])?\s*\{standalone\}")
#: Suffixes LaTeX tries for ``\includegraphics{name}``, and the file epstopdf writes.
_GRAPHIC_FORMS = (".pdf", ".png", ".jpg", ".jpeg", ".eps", "-eps-converted-to.pdf")


def merge_source_and_pdf(
    source: ParsedDocument, pdf: ParsedDocument, *, name: str, sha256: str
) -> ParsedDocument:
    """One document from a LaTeX source and the PDF built from it.

    Display equations of the source are matched to the PDF's display regions (by printed
    number, then by LaTeX similarity in reading order, see :func:`align_source_to_pdf`) and
    take their page, bbox and number; the LaTeX stays the source's. PDF regions no source
    equation claimed are dropped: the source is the ground truth, and such regions are
    mostly display-like lines that are not equations. Inline source equations and display
    equations not found in the PDF are kept without a place.

    Args:
        source: The parsed ``.tex`` (``kind="tex"``).
        pdf: The parsed PDF (its equations with ``display`` regions in reading order).
        name: Source name of the merged document.
        sha256: Identity of the pair (see ``pair_sha256`` in the pipeline).

    Returns:
        A ``kind="pdf"`` document with the PDF's pages and passages and the source's equations.
    """
    regions = [e for e in pdf.equations if e.display and e.page is not None]
    equations = align_source_to_pdf(source.equations, regions)
    displays = [e for e in equations if e.display]
    placed = sum(1 for e in displays if e.page is not None)
    logger.info(
        "%s: %d of %d source display equations placed on the PDF (%d PDF regions)",
        name,
        placed,
        len(displays),
        len(regions),
    )
    equations = [replace(e, order=i) for i, e in enumerate(equations)]
    return ParsedDocument(
        source=name,
        sha256=sha256,
        kind="pdf",
        pages=list(pdf.pages),
        passages=list(pdf.passages),
        equations=equations,
        **_merged_meta(source, pdf),
    )


def _merged_meta(source: ParsedDocument, pdf: ParsedDocument) -> dict[str, Any]:
    """The source's words where it states them (exact, no typography to read), the PDF's
    for what only a build prints: the arXiv stamp and its date, a journal's DOI line, an
    author list a class sets from elsewhere. A year a ``\\date`` prints wins; else the
    PDF's (its arXiv stamp, a printed date, at last when it was built)."""
    return {
        "title": source.title or pdf.title,
        "authors": source.authors or pdf.authors,
        "year": source.year or pdf.year,
        "abstract": source.abstract or pdf.abstract,
        "arxiv_id": pdf.arxiv_id or source.arxiv_id,
        "doi": source.doi or pdf.doi,
    }


def is_standalone_figure(path: Path) -> bool:
    """A ``.tex`` file of ``\\documentclass{standalone}``: a figure (TikZ), not a paper."""
    with path.open("rb") as handle:
        return _STANDALONE.search(handle.read(65536)) is not None


def figure_files(tex: Path) -> set[Path]:
    """Files a LaTeX file draws with ``\\includegraphics``, resolved next to it.

    Args:
        tex: A ``.tex`` file.

    Returns:
        The existing files it includes as graphics (with LaTeX's suffix search and epstopdf's
        ``-eps-converted-to.pdf``), so that a folder ingest does not take figures for papers.
    """
    text = tex.read_text(encoding="utf-8", errors="replace")
    found: set[Path] = set()
    for target in _GRAPHICS.findall(text):
        base = tex.parent / target.strip()
        candidates = [base] + [base.with_name(base.name + form) for form in _GRAPHIC_FORMS]
        if base.suffix:
            stem = base.with_suffix("")
            candidates.append(stem.with_name(stem.name + "-eps-converted-to.pdf"))
        found.update(c.resolve() for c in candidates if c.is_file())
    return found
