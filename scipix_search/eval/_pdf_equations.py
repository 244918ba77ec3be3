"""Display equations read from a PDF, scored against the LaTeX source of the same paper.

The ground truth is the source's display rows (one per row of a row environment). Scores:

* detection recall: share of source rows for which some region exists on the PDF (same
  printed number, or the region's text-layer glyphs contain the row's letters and digits,
  or LaTeX similarity >= 0.5);
* precision: share of regions that are real display equations (similarity >= 0.5 with some
  source row, same number, or glyphs contained in a source environment);
* latex@0.8: share of source rows matched by an extracted equation whose LaTeX has
  normalised-token similarity >= 0.8; the equations are those ingestion stores
  (``regions_to_equations``: one per region, plus one per row of a multi-row display, each
  row read from its own crop; OCR in one batch per document);
* mean similarity: mean best similarity per source row.

Each row is compared with a region as that region prints it (``_printed.as_printed``): a bold
command around symbols that the region's fonts set regular is no part of what a reader can
see. ``good_as_written`` counts latex@0.8 against the rows as written, to show the difference.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, fields
from typing import Any

import pymupdf

from scipix_search.eval._datasets import PaperFolder
from scipix_search.eval._printed import BOLD_RE, as_printed, plain_symbols
from scipix_search.ingest import find_equation_regions, read_tex_equations, regions_to_equations
from scipix_search.math import as_tokens, token_similarity

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]

GOOD_SIMILARITY = 0.8
FOUND_SIMILARITY = 0.5


@dataclass(slots=True)
class PdfEquationScore:
    """Counts for one paper (or, added up, for a corpus)."""

    envs: int = 0
    rows: int = 0
    regions: int = 0
    detected: int = 0
    correct: int = 0
    good: int = 0
    good_as_written: int = 0
    sim_sum: float = 0.0
    seconds: float = 0.0

    def __add__(self, other: PdfEquationScore) -> PdfEquationScore:
        return PdfEquationScore(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(self))
        )

    @property
    def recall(self) -> float:
        return self.detected / max(1, self.rows)

    @property
    def precision(self) -> float:
        return self.correct / max(1, self.regions)

    @property
    def latex_ok(self) -> float:
        """latex@0.8: share of source rows with an extracted equation at similarity >= 0.8."""
        return self.good / max(1, self.rows)

    @property
    def latex_ok_as_written(self) -> float:
        """latex@0.8 against the source rows as written (bold the fonts cannot print kept)."""
        return self.good_as_written / max(1, self.rows)

    @property
    def mean_similarity(self) -> float:
        return self.sim_sum / max(1, self.rows)


def glyph_signature(latex_or_text: str, *, is_latex: bool) -> Counter[str]:
    """Letters and digits a formula prints (command names removed from LaTeX)."""
    text = latex_or_text
    if is_latex:
        text = re.sub(r"\\(?:begin|end)\{[^}]*\}", " ", text)
        text = re.sub(r"\\[A-Za-z]+", " ", text)
    return Counter(c for c in text if c.isascii() and c.isalnum())


def contained(small: Counter[str], big: Counter[str]) -> float:
    """Share of ``small``'s characters (with multiplicity) that ``big`` also holds."""
    total = sum(small.values())
    if not total:
        return 0.0
    return sum(min(n, big[c]) for c, n in small.items()) / total


class _Pairs:
    """``token_similarity`` over many pairs, each formula tokenised once.

    A pair whose lengths alone keep it under ``floor`` is not computed (the edit distance is
    at least the length difference) and reads 0.0: callers only compare it with ``floor``.
    """

    def __init__(self) -> None:
        self._tokens: dict[str, list[str]] = {}

    def _of(self, latex: str) -> list[str]:
        if latex not in self._tokens:
            # as_tokens never refuses: unparseable LaTeX gives its raw tokens
            self._tokens[latex] = list(as_tokens(latex))
        return self._tokens[latex]

    def similarity(self, a: str, b: str, *, floor: float = 0.0) -> float:
        ta, tb = self._of(a), self._of(b)
        longest = max(len(ta), len(tb))
        if longest == 0:
            return 1.0
        if min(len(ta), len(tb)) / longest < floor:
            return 0.0
        return token_similarity(ta, tb)


def score_pdf_equations(
    paper: PaperFolder,
    *,
    ocr: Any | None = None,
    report: list[str] | None = None,
    real_boxes: dict[int, list[Box]] | None = None,
) -> PdfEquationScore:
    """Score the display equations that ingestion extracts from ``paper.pdf``.

    Args:
        paper: the paper folder (LaTeX source and the PDF compiled from it).
        ocr: a formula recognizer (``LatexRecognizer``) to read crops with, as ingestion
            does with ``SCIPIX_PDF_EQUATION_OCR``; None scores the text layer alone.
        report: when given, a line is appended for every missed or low source row and every
            region that is not a display equation.
        real_boxes: when given, filled with the boxes (PDF points, by 0-based page) of the
            regions judged real display equations by the precision test: display regions
            the source confirms, the ground truth of a scan of the same pages.

    Returns:
        The paper's counts (add scores up for a corpus).
    """
    tex = [e for e in read_tex_equations(paper.tex) if e.display]
    start = time.perf_counter()
    regions = find_equation_regions(paper.pdf, render=ocr is not None)  # display only
    equations = regions_to_equations(regions, ocr)
    elapsed = time.perf_counter() - start
    region_latex: list[list[str]] = []
    cursor = 0
    for region in regions:
        n = 1 + len(region.rows)
        region_latex.append([e.latex for e in equations[cursor : cursor + n] if e.latex])
        cursor += n

    pairs = _Pairs()
    plain: list[frozenset[str]] = [frozenset()] * len(regions)
    if any(BOLD_RE.search(e.latex) for e in tex):
        with pymupdf.open(paper.pdf) as doc:
            plain = [plain_symbols(doc, r.page, r.layout or r.bbox) for r in regions]

    # a row's printed form depends on the row and the region's plain symbols alone, and most
    # regions share one set (none, or the paper's one regular symbol font's)
    printed_forms: dict[tuple[str, frozenset[str]], str] = {}

    def printed(latex: str, i: int) -> str:
        key = (latex, plain[i])
        if key not in printed_forms:
            printed_forms[key] = as_printed(latex, plain[i])
        return printed_forms[key]

    def region_sim(latex: str, i: int, floor: float = 0.0, *, written: bool = False) -> float:
        if not written:
            latex = printed(latex, i)
        best = 0.0
        for c in region_latex[i]:
            best = max(best, pairs.similarity(latex, c, floor=max(floor, best)))
        return best

    envs: dict[int, Counter[str]] = {}
    for eq in tex:
        envs.setdefault(eq.env_index, Counter()).update(glyph_signature(eq.latex, is_latex=True))
    sigs = [glyph_signature(r.text, is_latex=False) for r in regions]
    numbers = {e.number for e in tex if e.number}
    detected = good = good_as_written = 0
    sim_sum = 0.0
    for eq in tex:
        best = 0.0
        for i in range(len(regions)):
            best = max(best, region_sim(eq.latex, i, floor=best))
        written = best
        if any(printed(eq.latex, i) != eq.latex for i in range(len(regions))):
            written = 0.0
            for i in range(len(regions)):
                written = max(written, region_sim(eq.latex, i, floor=written, written=True))
        good_as_written += written >= GOOD_SIMILARITY
        sim_sum += best
        sig = glyph_signature(eq.latex, is_latex=True)
        hit = best >= FOUND_SIMILARITY or any(
            (eq.number and r.number == eq.number)
            or (sum(sig.values()) >= 3 and contained(sig, s) >= 0.85)
            for r, s in zip(regions, sigs, strict=True)
        )
        detected += bool(hit)
        good += best >= GOOD_SIMILARITY
        if report is not None and (not hit or best < GOOD_SIMILARITY):
            kind = "MISS" if not hit else "low "
            report.append(f"{kind} {eq.number or '-':>5} {best:.2f} {eq.latex[:90]}")
            if best > 0.0:
                # The closest reading, so a low row shows what the reader made of it.
                read = max(
                    (c for cands in region_latex for c in cands),
                    key=lambda c: pairs.similarity(eq.latex, c),
                )
                report.append(f"       read {read[:90]}")
    correct = 0
    for i, (r, s) in enumerate(zip(regions, sigs, strict=True)):
        ok = (
            (r.number is not None and r.number in numbers)
            or any(region_sim(e.latex, i, FOUND_SIMILARITY) >= FOUND_SIMILARITY for e in tex)
            or any(sum(s.values()) >= 2 and contained(s, env) >= 0.85 for env in envs.values())
        )
        correct += ok
        if ok and real_boxes is not None:
            real_boxes.setdefault(r.page - 1, []).append(tuple(r.bbox))  # type: ignore[arg-type]
        if report is not None and not ok:
            report.append(f"FP   p{r.page} {r.number or '-':>5} {r.text[:90]!r}")
    return PdfEquationScore(
        envs=len(envs),
        rows=len(tex),
        regions=len(regions),
        detected=detected,
        correct=correct,
        good=good,
        good_as_written=good_as_written,
        sim_sum=sim_sum,
        seconds=elapsed,
    )
