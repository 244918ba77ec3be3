"""``convert --to md`` on real papers: the Markdown's display equations are ingestion's.

Issue 16's done-when: on the real papers, display equations in the Markdown match the source at
latex@0.8 as ingestion does. latex@0.8 is the share of the source's display rows that some
extracted equation matches at normalised-token similarity >= 0.8 (``scipix_search.eval``, as
``benchmarks/pdf_equations.py`` scores ingestion); here the extracted equations are read back
from the Markdown (each ``$$`` row, and the rows of one display joined, as ingestion stores the
whole of a multi-row display). The text layer alone on both sides, so no model is loaded. A few
short papers of different classes keep it under half a minute.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.config import Settings
from scipix_search.eval import PaperFolder, paper_folders, score_pdf_equations
from scipix_search.ingest import markdown_displays, read_tex_equations
from scipix_search.math import as_tokens, token_similarity
from scipix_search.pipeline import Models, convert_to_markdown

pytestmark = [pytest.mark.slow, pytest.mark.shared]

# imsart and elsarticle, 8 and 10 pages, 61 display rows
PAPERS = ("ning_sparsefa", "droumaguet_msvar")
GOOD = 0.8  # latex@0.8, the threshold of scipix_search.eval's scorer


def _markdown_good(paper: PaperFolder, markdown: str) -> int:
    """Source display rows matched at >= 0.8 by an equation of the Markdown."""
    candidates = []
    for rows in markdown_displays(markdown):
        candidates.extend(rows)
        if len(rows) > 1:
            candidates.append(" \\\\ ".join(rows))
    tokens = [list(as_tokens(c)) for c in candidates]
    source = [e for e in read_tex_equations(paper.tex) if e.display]
    return sum(
        any(token_similarity(list(as_tokens(e.latex)), t) >= GOOD for t in tokens) for e in source
    )


def test_markdown_display_equations_match_the_source_as_ingestion_does(shared_dir: Path) -> None:
    papers = [p for p in paper_folders(shared_dir / "papers") if p.name in PAPERS]
    assert len(papers) == len(PAPERS)
    settings = Settings(pdf_equation_ocr="off")
    models = Models(settings)
    rows = ingested = converted = 0
    for paper in papers:
        score = score_pdf_equations(paper)  # the text layer, as ingestion reads it
        markdown = convert_to_markdown(
            paper.pdf.read_bytes(), paper.pdf.name, settings=settings, models=models
        )
        rows += score.rows
        ingested += score.good
        converted += _markdown_good(paper, markdown)
    assert rows >= 50
    assert ingested / rows >= 0.5  # the reader works here at all
    assert converted / rows == ingested / rows
