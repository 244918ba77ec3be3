"""Passages of the real papers: prose kept, the text of display equations left out.

Rates over the corpus (which grows), never counts of particular papers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.config import Settings
from scipix_search.eval import paper_folders
from scipix_search.ingest import parse_pdf, sha256_bytes
from scipix_search.ingest._image import word_share
from scipix_search.pipeline._models import Models
from scipix_search.pipeline._parse import parse_pdf_input

pytestmark = [pytest.mark.shared, pytest.mark.slow]


def test_papers_passages_keep_prose_and_leave_out_displays(
    shared_dir: Path, settings: Settings
) -> None:
    models = Models(settings)
    prose = prose_kept = math = math_left = 0
    for paper in paper_folders(shared_dir / "papers")[::3]:  # a third of them: CI time
        data = paper.pdf.read_bytes()
        sha = sha256_bytes(data)
        plain = parse_pdf(data, paper.pdf.name, sha, max_pages=10_000).passages
        parsed = parse_pdf_input(
            data, paper.pdf.name, sha, settings=settings, models=models, ocr_equations=False
        )
        kept = {p.text for p in parsed.passages}
        for passage in plain:
            share = word_share(passage.text)
            if share >= 0.7 and len(passage.text) >= 80:
                prose += 1
                prose_kept += passage.text in kept
            elif share < 0.3:
                math += 1
                math_left += passage.text not in kept
    print(f"prose kept {prose_kept}/{prose}, math-only passages left out {math_left}/{math}")
    # 18 papers (2026-12-04): prose 2560/2560 kept, 479/562 math-only passages left out
    assert prose_kept / prose >= 0.99
    assert math_left / math >= 0.7
