"""Give LaTeX-source equations the page and bbox of the matching PDF regions."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from scipix_search.ingest._types import ParsedEquation
from scipix_search.ingest.pdf import EquationRegion
from scipix_search.math import token_similarity

logger = logging.getLogger(__name__)

MIN_SIMILARITY = 0.45
"""Below this a source row is not placed on the PDF (it keeps page/bbox None)."""


def _region_similarity(latex: str, region: EquationRegion | ParsedEquation) -> float:
    # the math stage's canonical tokens (spacing, sizing, fonts and redundant braces dropped)
    rows = getattr(region, "row_latex", None) or []
    return max([token_similarity(latex, region.latex)] + [token_similarity(latex, r) for r in rows])


def align_source_to_pdf(
    tex_equations: list[ParsedEquation],
    pdf_regions: Sequence[EquationRegion | ParsedEquation],
    *,
    min_similarity: float = MIN_SIMILARITY,
) -> list[ParsedEquation]:
    """Place the exact source LaTeX on the PDF pages.

    Display equations of the source are matched to regions first by printed number, then
    in reading order by normalised-token similarity (a multi-row region may take several
    source rows). Matched equations get the region's page, bbox and number; the LaTeX
    stays the source's. Inline and unmatched equations are returned unchanged.

    Args:
        tex_equations: equations of a ``kind="tex"`` document, in document order.
        pdf_regions: regions (or pdf/ocr ParsedEquations) of the PDF built from that source.
        min_similarity: least similarity for a match made on LaTeX alone.

    Returns:
        New ParsedEquation objects, same order and count as ``tex_equations``.
    """
    regions = list(pdf_regions)  # already in reading order (page, column, top to bottom)
    by_number: dict[str, int] = {}
    for idx, region in enumerate(regions):
        if region.number and region.display:
            by_number.setdefault(region.number, idx)
    out: list[ParsedEquation] = []
    cursor = 0
    for eq in tex_equations:
        if not eq.display:
            out.append(replace(eq))
            continue
        match = by_number.get(eq.number) if eq.number else None
        if match is None:
            window = range(max(0, cursor - 1), min(len(regions), cursor + 8))
            scored = [
                (_region_similarity(eq.latex, regions[i]), -abs(i - cursor), i) for i in window
            ]
            best = max(scored, default=None)
            if best is None or best[0] < min_similarity:
                scored = [(_region_similarity(eq.latex, r), 0, i) for i, r in enumerate(regions)]
                best = max(scored, default=None)
            if best is not None and best[0] >= min_similarity:
                match = best[2]
        if match is None:
            logger.debug("source equation %s not found in the PDF", eq.number or eq.latex[:40])
            out.append(replace(eq))
            continue
        region = regions[match]
        cursor = match
        out.append(
            replace(eq, page=region.page, bbox=region.bbox, number=region.number or eq.number)
        )
    return out
