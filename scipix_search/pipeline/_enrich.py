"""Math and embed stages: a ParsedDocument becomes the records the store writes.

Pure given the encoders: no file, database or index is touched, so the same document and the
same encoders always give the same records.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scipix_search.embed import FormulaEncoder, TextEncoder
from scipix_search.exceptions import LatexParseError
from scipix_search.ingest import ParsedDocument, ParsedEquation
from scipix_search.math import parse_formula, to_mathml
from scipix_search.store.repo import EquationExtras

logger = logging.getLogger(__name__)


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


def drop_long_equations(parsed: ParsedDocument, max_chars: int) -> ParsedDocument:
    """Leave out the equations whose LaTeX is longer than ``max_chars`` (never parsed).

    The same cap as for queries: no formula a person wrote or reads is that long, and one from
    a hostile source (a macro expanded without end) would cost the parser, the store and every
    search page. The drop is logged with the lengths; the rest of the document is kept.
    """
    kept = [e for e in parsed.equations if len(e.latex) <= max_chars]
    if len(kept) < len(parsed.equations):
        longest = max(len(e.latex) for e in parsed.equations)
        logger.warning(
            "%s: skipped %d formula(s) over %d characters (longest %d)",
            parsed.source,
            len(parsed.equations) - len(kept),
            max_chars,
            longest,
            extra={"action": "enrich", "source": parsed.source},
        )
        parsed.equations = kept
    return parsed


def enrich_equations(
    equations: Sequence[ParsedEquation], formula_encoder: FormulaEncoder, *, source: str = ""
) -> list[EquationExtras]:
    """Canonical form, MathML and structural vector of each equation, in order.

    Equations whose LaTeX cannot be parsed (unbalanced, nested too deep ...) are kept, since
    their text is still worth showing, with no canonical form, MathML or vector, and a log
    line: one bad formula never fails its document. A LaTeX that parses but has no MathML
    keeps the rest.

    Each distinct LaTeX is worked out once: a paper repeats its inline math (44% of the
    real papers' equations repeat one of the same paper), and the records depend on the
    LaTeX (and, for MathML, the display flag) alone.
    """
    extras: list[EquationExtras] = []
    done: dict[tuple[str, bool], EquationExtras | LatexParseError] = {}
    for k, equation in enumerate(equations):
        key = (equation.latex, equation.display)
        if key not in done:
            done[key] = _extras(equation, formula_encoder)
        extra = done[key]
        if isinstance(extra, LatexParseError):
            logger.info(
                "%s: formula %d kept without a vector: %s",
                source or "document",
                k,
                extra,
                extra={
                    "action": "enrich",
                    "source": source,
                    "reason": getattr(extra, "reason", None),
                },
            )
            extras.append(EquationExtras(None, None, None))
        else:
            extras.append(extra)
    return extras


def _extras(
    equation: ParsedEquation, formula_encoder: FormulaEncoder
) -> EquationExtras | LatexParseError:
    """One equation's records, or the parse error that leaves it without them."""
    try:
        formula = parse_formula(equation.latex)
    except LatexParseError as exc:
        return exc
    try:
        mathml: str | None = to_mathml(equation.latex, display=equation.display)
    except LatexParseError:
        mathml = None
    vector = formula_encoder.encode_document([formula])[0]
    return EquationExtras(formula.canonical, mathml, vector)


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
    return Enriched(
        vectors, enrich_equations(parsed.equations, formula_encoder, source=parsed.source)
    )
