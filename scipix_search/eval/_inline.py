"""Inline math read from a PDF, scored against the inline formulas of its LaTeX source.

* recall: share of the source's inline formulas of at least ``MIN_TOKENS`` canonical tokens
  that some extracted inline equation matches at token similarity >= 0.8;
* precision: share of extracted inline equations that match some source formula (inline
  or a display row) at >= 0.5 (what is stored is math the paper really prints).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

from scipix_search.eval._datasets import PaperFolder
from scipix_search.ingest import EquationRegion, find_equation_regions, read_tex_equations
from scipix_search.math import as_tokens, token_similarity

MIN_TOKENS = 3
MATCH = 0.8
RELATED = 0.5


@dataclass(slots=True)
class InlineScore:
    """Counts for one paper (add them up for a corpus)."""

    source: int = 0  # source inline formulas of >= MIN_TOKENS tokens
    matched: int = 0  # of those, matched at >= MATCH
    extracted: int = 0  # inline equations read from the PDF
    related: int = 0  # of those, matching some source formula at >= RELATED
    seconds: float = 0.0

    def __add__(self, other: InlineScore) -> InlineScore:
        return InlineScore(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def recall(self) -> float:
        return self.matched / max(1, self.source)

    @property
    def precision(self) -> float:
        return self.related / max(1, self.extracted)


def _tokens(latex: str) -> list[str]:
    return list(as_tokens(latex))  # never refuses: unparseable LaTeX gives its raw tokens


def _best(query: list[str], pool: list[list[str]], floor: float) -> float:
    """Best similarity of ``query`` in ``pool``; pairs whose lengths alone keep them under
    ``floor`` are skipped (the edit distance is at least the length difference)."""
    best = 0.0
    for cand in pool:
        short, long_ = sorted((len(query), len(cand)))
        if long_ == 0 or short / long_ < max(floor, best):
            continue
        best = max(best, token_similarity(query, cand))
        if best >= 1.0:
            break
    return best


def score_inline_math(paper: PaperFolder, *, report: list[str] | None = None) -> InlineScore:
    """Score the inline equations that ingestion reads from ``paper.pdf``.

    Args:
        paper: the paper folder (LaTeX source and the PDF compiled from it).
        report: when given, a line is appended for every missed source formula (with the
            nearest stored inline equation and the inline equations stored on its line) and
            for every stored inline equation that matches no source formula.

    Returns:
        The paper's counts.
    """
    source = read_tex_equations(paper.tex)
    start = time.perf_counter()
    regions = [
        r for r in find_equation_regions(paper.pdf, render=False, inline=True) if not r.display
    ]
    elapsed = time.perf_counter() - start
    src_inline = [_tokens(e.latex) for e in source if not e.display]
    src_all = src_inline + [_tokens(e.latex) for e in source if e.display]
    got = [_tokens(r.latex) for r in regions]
    wanted = [t for t in src_inline if len(t) >= MIN_TOKENS]
    matched = sum(_best(t, got, MATCH) >= MATCH for t in wanted)
    related = sum(_best(t, src_all, RELATED) >= RELATED for t in got)
    if report is not None:
        _report(report, wanted, src_all, regions, got)
    return InlineScore(len(wanted), matched, len(got), related, elapsed)


def _report(
    report: list[str],
    wanted: list[list[str]],
    src_all: list[list[str]],
    regions: list[EquationRegion],
    got: list[list[str]],
) -> None:
    """Misses beside what was stored on the same printed line, then the false hits."""
    for t in wanted:
        sims = [token_similarity(t, g) for g in got]
        k = max(range(len(got)), key=sims.__getitem__, default=-1)
        if k < 0 or sims[k] >= MATCH:
            continue
        near = regions[k]
        line = [r.latex for r in regions if r.page == near.page and _same_line(r.bbox, near.bbox)]
        report.append(f"MISS {sims[k]:.2f} src: {' '.join(t)}")
        report.append(f"     p{near.page} line: {' | '.join(line)}")
    for t, r in zip(got, regions, strict=True):
        if _best(t, src_all, RELATED) < RELATED:
            report.append(f"FP   p{r.page} {r.latex}   [{r.text}]")


def _same_line(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Boxes whose vertical middles lie in each other's band (one printed line)."""
    return a[1] <= (b[1] + b[3]) / 2 <= a[3] or b[1] <= (a[1] + a[3]) / 2 <= b[3]
