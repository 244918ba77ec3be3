"""MathML for a formula, through the maintained ``latex2mathml`` converter."""

from __future__ import annotations

import logging

from scipix_search.exceptions import LatexParseError
from scipix_search.math._normalize import normalize

logger = logging.getLogger(__name__)


def _for_converter(tokens: list[str]) -> str:
    # Query variables have no LaTeX spelling; show them as upright names.
    return " ".join(
        f"\\mathrm{{{t[1:]}}}" if t.startswith("?") and len(t) > 1 else t for t in tokens
    )


def to_mathml(latex: str, *, display: bool = False) -> str:
    """Convert a formula to presentation MathML.

    The formula is normalised first, so ``\\label``, ``\\tag`` and spacing never reach the converter.

    Args:
        latex: LaTeX of one formula.
        display: ``display="block"`` rather than inline.

    Returns:
        A ``<math>`` element as a string.

    Raises:
        LatexParseError: the LaTeX cannot be parsed or converted.
    """
    tokens = normalize(latex)
    try:
        from latex2mathml.converter import convert
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise LatexParseError("latex2mathml is not installed", reason="dependency") from exc
    try:
        return convert(_for_converter(tokens), display="block" if display else "inline")
    except Exception as exc:  # the converter raises many unrelated types
        raise LatexParseError(
            f"MathML conversion failed: {exc}", position=None, reason="mathml"
        ) from exc


def try_mathml(latex: str, *, display: bool = False) -> tuple[str, bool]:
    """MathML of a formula and whether it converted, for callers that keep LaTeX either way.

    OCR output, for one, is worth returning even when it does not parse.

    Args:
        latex: LaTeX of one formula.
        display: ``display="block"`` rather than inline.

    Returns:
        ``(mathml, True)``, or ``("", False)`` for blank LaTeX or LaTeX that
        :func:`to_mathml` refuses, e.g. ``try_mathml(r"\\frac{a}{b") == ("", False)``.
    """
    if not latex.strip():
        return "", False
    try:
        return to_mathml(latex, display=display), True
    except LatexParseError as exc:
        logger.debug("no MathML for %r: %s", latex[:80], exc)
        return "", False
