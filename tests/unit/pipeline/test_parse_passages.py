"""Born-digital passages leave out the text of display equations (stored as LaTeX instead)."""

from __future__ import annotations

from pathlib import Path

from scipix_search.config import Settings
from scipix_search.ingest import parse_pdf
from scipix_search.ingest._image import PROSE_WORD_SHARE, word_share
from scipix_search.pipeline._models import Models
from scipix_search.pipeline._parse import parse_pdf_input


def test_display_text_is_not_a_passage(fixtures_dir: Path, settings: Settings) -> None:
    data = (fixtures_dir / "pdf" / "display_math.pdf").read_bytes()
    plain = parse_pdf(data, "d.pdf", "0" * 64, max_pages=100).passages
    parsed = parse_pdf_input(
        data, "d.pdf", "0" * 64, settings=settings, models=Models(settings), ocr_equations=False
    )
    kept = [p.text for p in parsed.passages]
    # (a matrix of words, "cosh mL sinh mL", sits between the two shares)
    prose = [p.text for p in plain if word_share(p.text) >= 0.7]
    math = [p.text for p in plain if word_share(p.text) < PROSE_WORD_SHARE]
    assert len(math) >= 4  # the text layer gives displays blocks of their own
    assert prose and all(text in kept for text in prose)  # no prose lost
    assert not any(text in kept for text in math)
    assert [p.order for p in parsed.passages] == list(range(len(kept)))
    assert len(parsed.equations) >= 6  # the displays themselves are there, as equations
