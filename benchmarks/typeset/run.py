"""Score the PDF display-equation reader on the typeset corpus, per class, font and cell.

Usage:
    python benchmarks/typeset/run.py [--ocr] [--inline] [-v] [build.py options: --out,
        --docs-per-cell, --classes, --fonts, --grid, --jobs, --seed]

Builds the corpus first (cached; see ``build.py``), then scores every document with
``scipix_search.eval.score_pdf_equations`` (text layer, or formula OCR with ``--ocr``; the scorer
of ``benchmarks/pdf_equations.py``) and prints:

* per class, per font, per class x font cell, and overall: documents, source display rows,
  regions found, ``det_recall`` (rows detected / rows), ``precision`` (real regions /
  regions), ``latex@0.8`` (rows read at similarity >= 0.8 / rows), ``mean_sim``,
  ``inline>=3``: inline source formulas of at least three tokens, and with ``--inline`` the
  inline-math scores of ``scipix_search.eval.score_inline_math`` (``inl_recall``: those
  formulas matched at >= 0.8; ``inl_prec``: extracted inline equations that are real math);
* per display construction (equation, align, multline, cases, matrix, ...): rows, recall and
  latex@0.8, from the scorer's list of missed and low rows.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import code_version, load_ocr  # noqa: E402
from benchmarks.typeset.build import (  # noqa: E402
    BuiltDoc,
    add_build_args,
    build_from_args,
    report_build,
)
from scipix_search.eval import (  # noqa: E402
    InlineScore,
    PaperFolder,
    PdfEquationScore,
    print_table,
    score_inline_math,
    score_pdf_equations,
)
from scipix_search.ingest import TexEquation, read_tex_equations  # noqa: E402
from scipix_search.math import tokenize  # noqa: E402

_REPORT_RE = re.compile(r"^\s*(MISS|low)\s+\S+\s+[\d.]+\s(.*)$")
INLINE_MIN_TOKENS = 3


@dataclass(slots=True)
class Score:
    """The eval library's counts of one document, or summed over a group of them."""

    docs: int = 0
    pdf: PdfEquationScore = field(default_factory=PdfEquationScore)
    inline: int = 0  # source inline formulas of >= INLINE_MIN_TOKENS tokens
    inline_scored: int = 0  # documents scored with --inline
    inl: InlineScore = field(default_factory=InlineScore)

    def add(self, other: Score) -> None:
        self.docs += other.docs
        self.pdf += other.pdf
        self.inline += other.inline
        self.inline_scored += other.inline_scored
        self.inl += other.inl

    def row(self, name: str) -> list[object]:
        pdf, inl = self.pdf, self.inl
        return [
            name,
            self.docs,
            pdf.rows,
            pdf.regions,
            f"{pdf.recall:.1%}",
            f"{pdf.precision:.1%}",
            f"{pdf.latex_ok:.1%}",
            f"{pdf.mean_similarity:.3f}",
            self.inline,
            f"{inl.recall:.1%}" if self.inline_scored else "-",
            f"{inl.precision:.1%}" if self.inline_scored else "-",
            f"{pdf.seconds + inl.seconds:.1f}",
        ]


HEADER = (
    "group", "docs", "rows", "regions", "det_recall", "precision", "latex@0.8", "mean_sim",
    "inline>=3", "inl_recall", "inl_prec", "sec",
)  # fmt: skip


@dataclass(slots=True)
class Construct:
    """Rows of one display construction: how many, missed, read below 0.8."""

    rows: int = 0
    missed: int = 0
    low: int = 0


@dataclass(slots=True)
class DocResult:
    doc: BuiltDoc
    score: Score
    constructs: dict[str, Construct] = field(default_factory=dict)
    report: str = ""


def _paper(doc: BuiltDoc) -> PaperFolder:
    return PaperFolder(doc.folder.name, doc.folder, doc.folder, doc.pdf)


_WORKER_OCR: Any | None = None
_WORKER_INLINE = False


def _init_worker(with_ocr: bool, with_inline: bool) -> None:
    global _WORKER_OCR, _WORKER_INLINE
    _WORKER_OCR = load_ocr() if with_ocr else None
    _WORKER_INLINE = with_inline


def _score_in_worker(doc: BuiltDoc) -> DocResult:
    result = score_document(doc, _WORKER_OCR)
    if _WORKER_INLINE:
        result.score.inline_scored = 1
        result.score.inl = score_inline_math(_paper(doc))
    return result


def score_corpus(
    docs: list[BuiltDoc], *, with_ocr: bool, with_inline: bool, jobs: int
) -> list[DocResult]:
    """Score every built document, ``jobs`` processes at a time (each loads its own OCR)."""
    built = [d for d in docs if d.error is None]
    flags = (with_ocr, with_inline)
    if jobs <= 1:
        _init_worker(*flags)
        return [_score_in_worker(d) for d in built]
    with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=flags) as pool:
        return list(pool.map(_score_in_worker, built))


def score_document(doc: BuiltDoc, ocr: Any | None) -> DocResult:
    """Score one document folder and attribute its missed and low rows to the display
    construction each source row came from."""
    lines: list[str] = []
    res = score_pdf_equations(_paper(doc), ocr=ocr, report=lines)
    report = "".join(f"   {line}\n" for line in lines)
    equations = read_tex_equations(doc.folder)
    inline = sum(not e.display and _tokens(e.latex) >= INLINE_MIN_TOKENS for e in equations)
    rows = [(e.latex, c) for e, c in zip(_display(equations), _constructs(doc), strict=False)]
    return DocResult(doc, Score(1, res, inline), _by_construct(rows, report), report)


def _tokens(latex: str) -> int:
    """Tokens of ``math.tokenize`` that are not braces."""
    return sum(t not in ("{", "}") for t in tokenize(latex))


def _display(equations: list[TexEquation]) -> list[TexEquation]:
    return [e for e in equations if e.display]


def _constructs(doc: BuiltDoc) -> list[str]:
    """The construction of every source display row, in document order (from truth.json)."""
    truth = json.loads((doc.folder / "truth.json").read_text(encoding="utf-8"))
    names: list[str] = []
    for f in truth["formulas"]:
        if f["kind"] == "display":
            names.extend([f["construct"]] * int(f["reader_rows"]))
    return names


def _by_construct(rows: list[tuple[str, str]], report: str) -> dict[str, Construct]:
    out: dict[str, Construct] = {}
    for _, name in rows:
        out.setdefault(name, Construct()).rows += 1
    pending = list(rows)
    for line in report.splitlines():
        m = _REPORT_RE.match(line)
        if m is None:
            continue
        kind, prefix = m.groups()
        # the report names a row by its LaTeX's first 90 characters
        hit = next((r for r in pending if r[0][:90].rstrip() == prefix.rstrip()), None)
        if hit is None:
            continue
        pending.remove(hit)
        c = out[hit[1]]
        if kind == "MISS":
            c.missed += 1
        else:
            c.low += 1
    return out


def group_scores(results: list[DocResult], key: Callable[[BuiltDoc], str]) -> dict[str, Score]:
    groups: dict[str, Score] = {}
    for r in results:
        groups.setdefault(key(r.doc), Score()).add(r.score)
    return groups


def print_group(title: str, groups: dict[str, Score], total: Score | None = None) -> None:
    print(f"\n{title}")
    rows = [s.row(name) for name, s in groups.items()]
    if total is not None:
        rows.append(total.row("overall"))
    print_table(HEADER, rows)


def print_constructs(results: list[DocResult]) -> None:
    total: dict[str, Construct] = {}
    for r in results:
        for name, c in r.constructs.items():
            t = total.setdefault(name, Construct())
            t.rows, t.missed, t.low = t.rows + c.rows, t.missed + c.missed, t.low + c.low
    rows = [
        [
            name,
            c.rows,
            f"{(c.rows - c.missed) / max(1, c.rows):.1%}",
            f"{(c.rows - c.missed - c.low) / max(1, c.rows):.1%}",
        ]
        for name, c in sorted(total.items(), key=lambda kv: -kv[1].rows)
    ]
    print("\nper display construction (source rows)")
    print_table(("construct", "rows", "det_recall", "latex@0.8"), rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_build_args(parser)
    parser.add_argument("--ocr", action="store_true", help="score OCR LaTeX of the crops")
    parser.add_argument(
        "--inline", action="store_true", help="score inline math too (eval.score_inline_math)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses, false hits")
    args = parser.parse_args(argv)
    docs, wall = build_from_args(args)
    report_build(docs, wall, args.out)
    if args.ocr and load_ocr() is None:  # said why; score what can be scored
        args.ocr = False
    start = time.perf_counter()
    results = score_corpus(docs, with_ocr=args.ocr, with_inline=args.inline, jobs=args.jobs)
    total = Score()
    for r in results:
        total.add(r.score)
        if args.verbose:
            print(f"{r.doc.folder.name}\n{r.report}", end="")
    path = "ocr" if args.ocr else "text layer"
    print(f"\nLaTeX path: {path}; scored in {time.perf_counter() - start:.1f} s")
    print(f"reader: git {code_version()}")
    print_group("per class", group_scores(results, lambda d: d.cell.doc_class.name), total)
    print_group("per font", group_scores(results, lambda d: d.cell.font.name), total)
    print_group("per cell", group_scores(results, lambda d: d.cell.name), total)
    print_constructs(results)
    failed = Counter(d.cell.name for d in docs if d.error)
    for name, n in failed.items():
        print(f"not built: {name} ({n} documents)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
