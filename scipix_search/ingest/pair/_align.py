"""Give LaTeX-source equations the page and bbox of the matching PDF regions."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from functools import lru_cache

from scipix_search.ingest._types import ParsedEquation
from scipix_search.ingest.pdf import EquationRegion

logger = logging.getLogger(__name__)

MIN_SIMILARITY = 0.45
"""Below this a source row is not placed on the PDF (it keeps page/bbox None)."""

_TOKEN_RE = re.compile(r"\\[A-Za-z]+\*?|\\.|[^\s{}]")
_DROP = frozenset(
    r"\left \right \big \Big \bigg \Bigg \bigl \bigr \Bigl \Bigr \biggl \biggr \, \; \: \! \ "
    r"\quad \qquad ~ \displaystyle \textstyle \scriptstyle \limits \nolimits \mathrm \rm "
    r"\operatorname \operatorname* \text \mathit \it \mbox \hat \widehat \tilde \widetilde "
    r"\bar \overline \begin \end & \\ \hline \cdotp".split()
)
_SAME = {
    r"\le": r"\leq", r"\ge": r"\geq", r"\ne": r"\neq", r"\to": r"\rightarrow",
    r"\dots": r"\ldots", r"\cdots": r"\ldots", r"\lVert": r"\|", r"\rVert": r"\|",
    r"\Vert": r"\|", r"\vert": "|", r"\lvert": "|", r"\rvert": "|", r"\bm": r"\boldsymbol",
    r"\mathbf": r"\boldsymbol", r"\bf": r"\boldsymbol", r"\epsilon": r"\varepsilon",
    r"\varphi": r"\phi", r"\lbrace": r"\{", r"\rbrace": r"\}", r"\colon": ":",
    r"\dfrac": r"\frac", r"\tfrac": r"\frac", r"\leqslant": r"\leq", r"\geqslant": r"\geq",
    r"\ast": "*", r"\mid": "|", "−": "-",
}  # fmt: skip


@lru_cache(maxsize=65536)
def tokens(latex: str) -> tuple[str, ...]:
    """Canonical tokens for comparing formulas: spacing, sizing, fonts and braces dropped.

    Uses ``scipix_search.math.normalize``; a local tokenizer covers LaTeX it refuses.
    """
    from scipix_search.math import normalize

    try:
        return tuple(normalize(latex))
    except Exception:  # noqa: BLE001 - the normaliser may refuse broken LaTeX
        logger.debug("normalize failed on %r; using the local tokenizer", latex[:80])
    raw = re.sub(r"\\(?:begin|end)\s*\{[^}]*\}(?:\{[^}]*\})?", " ", latex)
    out = []
    for tok in _TOKEN_RE.findall(raw):
        tok = _SAME.get(tok, tok)
        if tok in _DROP:
            continue
        out.append(tok)
    while out and out[-1] in {",", ".", ";"}:
        out.pop()
    return tuple(out)


def similarity(a: str, b: str) -> float:
    """1 - normalised edit distance between the canonical token sequences of ``a`` and ``b``."""
    from scipix_search.math import token_similarity

    try:
        return float(token_similarity(a, b))
    except Exception:  # noqa: BLE001 - fall back to the local measure on broken LaTeX
        logger.debug("token_similarity failed; using the local measure")
    return _edit_similarity(tokens(a), tokens(b))


def _edit_similarity(x: tuple[str, ...], y: tuple[str, ...]) -> float:
    if not x and not y:
        return 1.0
    if not x or not y:
        return 0.0
    prev = list(range(len(y) + 1))
    for i, tx in enumerate(x, 1):
        cur = [i] + [0] * len(y)
        for j, ty in enumerate(y, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (tx != ty))
        prev = cur
    return 1.0 - prev[-1] / max(len(x), len(y))


def _region_similarity(latex: str, region: EquationRegion | ParsedEquation) -> float:
    rows = getattr(region, "row_latex", None) or []
    return max([similarity(latex, region.latex)] + [similarity(latex, r) for r in rows])


def align_source_to_pdf(
    tex_equations: list[ParsedEquation],
    pdf_regions: list[EquationRegion] | list[ParsedEquation],
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
