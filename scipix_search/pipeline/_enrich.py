"""Math and embed stages: a ParsedDocument becomes the records the store writes.

Pure given the encoders: no file, database or index is touched, so the same document and the
same encoders always give the same records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scipix_search.embed import FormulaEncoder, TextEncoder
from scipix_search.exceptions import LatexParseError
from scipix_search.ingest import ParsedDocument, ParsedEquation
from scipix_search.math import parse_formula, to_mathml
from scipix_search.store.repo import EquationExtras


@dataclass(frozen=True, slots=True)
class Enriched:
    """What the store needs besides the parsed document: one vector per passage, and per
    equation its canonical form, MathML and structural vector (None where it did not parse)."""

    passage_vectors: np.ndarray
    equation_extras: list[EquationExtras]

    @property
    def equation_has_vector(self) -> np.ndarray:
        """A boolean mask over the equations: which have a structural vector."""
        return np.array([x.embedding is not None for x in self.equation_extras], dtype=bool)


def enrich_equations(
    equations: Sequence[ParsedEquation], formula_encoder: FormulaEncoder
) -> list[EquationExtras]:
    """Canonical form, MathML and structural vector of each equation, in order.

    Equations whose LaTeX cannot be parsed are kept (their text is still worth showing) with
    no canonical form, MathML or vector; a LaTeX that parses but has no MathML keeps the rest.
    """
    extras: list[EquationExtras] = []
    for equation in equations:
        try:
            formula = parse_formula(equation.latex)
        except LatexParseError:
            extras.append(EquationExtras(None, None, None))
            continue
        try:
            mathml: str | None = to_mathml(equation.latex, display=equation.display)
        except LatexParseError:
            mathml = None
        vector = formula_encoder.encode_document([formula])[0]
        extras.append(EquationExtras(formula.canonical, mathml, vector))
    return extras


def enrich(
    parsed: ParsedDocument, *, text_encoder: TextEncoder, formula_encoder: FormulaEncoder
) -> Enriched:
    """Embed a document's passages and enrich its equations.

    Args:
        parsed: what the ingest (and OCR) stage made of one input.
        text_encoder: the passage encoder.
        formula_encoder: the structural formula encoder.

    Returns:
        The records to store with ``parsed`` (same order as its passages and equations).

    Raises:
        EmbeddingError: the passage encoder failed.
    """
    vectors = text_encoder.encode_document([p.text for p in parsed.passages])
    return Enriched(vectors, enrich_equations(parsed.equations, formula_encoder))
