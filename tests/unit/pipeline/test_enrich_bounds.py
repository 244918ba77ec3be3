"""One bad formula fails that formula only: too deep, too long, or unbalanced."""

from __future__ import annotations

import logging

import pytest

from scipix_search.embed import FormulaEncoder
from scipix_search.ingest import ParsedDocument, ParsedEquation
from scipix_search.pipeline import enrich_equations
from scipix_search.pipeline._enrich import drop_long_equations

DEEP_FRAC = "\\frac{" * 399 + "x" + "}{y}" * 399


def _eq(latex: str, order: int = 0) -> ParsedEquation:
    return ParsedEquation(
        latex=latex, page=None, bbox=None, display=True, origin="tex", order=order
    )


def test_a_399_deep_frac_is_kept_without_vector_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="scipix_search.pipeline")
    deep, fine = enrich_equations(
        [_eq(DEEP_FRAC), _eq("a^2+b^2=c^2")], FormulaEncoder(), source="x.txt"
    )
    assert (deep.canonical, deep.mathml, deep.embedding) == (None, None, None)
    assert fine.canonical == "a ^ { 2 } + b ^ { 2 } = c ^ { 2 }" and fine.embedding is not None
    line = next(r.getMessage() for r in caplog.records if "formula 0" in r.getMessage())
    assert "x.txt" in line and "nested more than 100 levels" in line


def test_formulas_over_the_cap_are_dropped_before_parsing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    doc = ParsedDocument(
        source="p.tex",
        sha256="0" * 64,
        kind="tex",
        title=None,
        equations=[_eq("x" * 4001, 0), _eq("e=mc^2", 1), _eq("y" * 300_000, 2), _eq("x" * 4000, 3)],
    )
    with caplog.at_level(logging.WARNING, logger="scipix_search.pipeline"):
        kept = drop_long_equations(doc, 4000)
    assert [e.order for e in kept.equations] == [1, 3]
    assert "p.tex: skipped 2 formula(s) over 4000 characters (longest 300000)" in caplog.text


def test_nothing_dropped_leaves_the_document_as_it_was(caplog: pytest.LogCaptureFixture) -> None:
    doc = ParsedDocument(
        source="q.tex", sha256="0" * 64, kind="tex", title=None, equations=[_eq("a")]
    )
    with caplog.at_level(logging.WARNING):
        assert drop_long_equations(doc, 1).equations == [_eq("a")]
    assert caplog.text == ""
