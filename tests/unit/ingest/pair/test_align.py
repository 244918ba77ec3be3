"""Source display equations placed on PDF regions: by printed number, then by similarity."""

from __future__ import annotations

from scipix_search.ingest import EquationRegion, ParsedEquation
from scipix_search.ingest.pair import align_source_to_pdf


def test_align_source_to_pdf_by_number_and_similarity() -> None:
    tex = [
        ParsedEquation("a = b + c", None, None, True, "tex", 0, "1"),
        ParsedEquation(r"\alpha^{2} = \beta", None, None, True, "tex", 1, None),
        ParsedEquation("x", None, None, False, "tex", 2),
        ParsedEquation("q = r", None, None, True, "tex", 3, None),
    ]
    regions = [
        EquationRegion(page=2, bbox=(1, 2, 3, 4), display=True, number="1", latex="a=b"),
        EquationRegion(page=3, bbox=(5, 6, 7, 8), display=True, latex=r"\alpha^{2}=\beta"),
    ]
    out = align_source_to_pdf(tex, regions)
    assert [(e.page, e.bbox, e.number) for e in out] == [
        (2, (1, 2, 3, 4), "1"),
        (3, (5, 6, 7, 8), None),
        (None, None, None),
        (None, None, None),
    ]
    assert out[0].latex == "a = b + c" and out[0].origin == "tex"
