"""enrich: a real parsed LaTeX document becomes store-ready records, the same every time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scipix_search.embed import FormulaEncoder, TextEncoder
from scipix_search.ingest import ParsedDocument, ParsedEquation, parse_latex_source
from scipix_search.pipeline import enrich, enrich_equations


@pytest.fixture
def parsed(fixtures_dir: Path) -> ParsedDocument:
    return parse_latex_source(fixtures_dir / "tex" / "project" / "main.tex")


def test_enrich_equations_of_a_latex_source(parsed: ParsedDocument) -> None:
    encoder = FormulaEncoder()
    extras = enrich_equations(parsed.equations, encoder)
    assert len(extras) == len(parsed.equations) > 3
    for equation, extra in zip(parsed.equations, extras, strict=True):
        assert extra.canonical, equation.latex
        assert extra.mathml is not None and extra.mathml.startswith("<math")
        assert extra.embedding is not None and extra.embedding.shape == (encoder.dim,)
        # the vector is the encoder's own vector of the equation, nothing else
        np.testing.assert_array_equal(extra.embedding, encoder.encode_document([equation.latex])[0])
    pythagoras = next(x for e, x in zip(parsed.equations, extras, strict=True) if "c^2" in e.latex)
    assert 'display="block"' in (pythagoras.mathml or "")


def test_enrich_equations_keeps_unparseable_latex_without_vector() -> None:
    equations = [
        ParsedEquation(latex=r"\frac{a}{b", page=1, bbox=None, display=True, origin="tex"),
        ParsedEquation(latex="a+b", page=1, bbox=None, display=False, origin="tex"),
    ]
    broken, fine = enrich_equations(equations, FormulaEncoder())
    assert (broken.canonical, broken.mathml, broken.embedding) == (None, None, None)
    assert fine.canonical and fine.embedding is not None
    assert fine.mathml is not None and 'display="block"' not in fine.mathml


@pytest.mark.model
def test_enrich_a_latex_source_is_deterministic(
    parsed: ParsedDocument, text_encoder: TextEncoder
) -> None:
    first = enrich(parsed, text_encoder=text_encoder, formula_encoder=FormulaEncoder())
    again = enrich(parsed, text_encoder=text_encoder, formula_encoder=FormulaEncoder())
    assert first.passage_vectors.shape == (len(parsed.passages), text_encoder.dim)
    np.testing.assert_allclose(np.linalg.norm(first.passage_vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(first.passage_vectors, again.passage_vectors)
    assert first.equation_has_vector.tolist() == [True] * len(parsed.equations)
    assert [x.canonical for x in first.equation_extras] == [
        x.canonical for x in again.equation_extras
    ]


def test_enrich_equations_repeated_latex_gets_the_records_it_gets_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pairs = [("x_i", False), (r"\frac{a}{b", True), ("x_i", True), ("x_i", False)]
    pairs += [(r"\frac{a}{b", True)]
    equations = [
        ParsedEquation(latex=latex, page=1, bbox=None, display=display, origin="pdf")
        for latex, display in pairs
    ]
    encoder = FormulaEncoder()
    with caplog.at_level("INFO", logger="scipix_search.pipeline._enrich"):
        extras = enrich_equations(equations, encoder)
    logged = [r.getMessage() for r in caplog.records if "without a vector" in r.getMessage()]
    for equation, extra in zip(equations, extras, strict=True):
        (alone,) = enrich_equations([equation], encoder)
        assert (extra.canonical, extra.mathml) == (alone.canonical, alone.mathml)
        if alone.embedding is None:
            assert extra.embedding is None
        else:
            np.testing.assert_array_equal(extra.embedding, alone.embedding)
    assert extras[0].mathml != extras[2].mathml  # the display flag still shows in MathML
    # an unparseable formula is logged at each occurrence, under its own number
    assert len(logged) == 2
    assert "formula 1 kept" in logged[0] and "formula 4 kept" in logged[1]
