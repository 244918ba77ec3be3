"""Score the PDF display-equation reader on the typeset corpus, per class, font and cell.

Usage:
    python benchmarks/typeset/run.py [--ocr] [--inline] [-v] [build.py options: --out,
        --docs-per-cell, --classes, --fonts, --grid, --jobs, --seed]

Builds the corpus first (cached; see ``build.py``), then scores every document with the
scorer of ``benchmarks/pdf_equations.py`` (text layer, or formula OCR with ``--ocr``) and prints:

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
import contextlib
import io
import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from pdf_equations import evaluate, load_ocr  # noqa: E402

from benchmarks.typeset.build import (  # noqa: E402
    BuiltDoc,
    add_build_args,
    build_from_args,
    print_table,
    report_build,
)
from scipix_search.ingest import TexEquation, read_tex_equations  # noqa: E402

_TOKEN_RE = re.compile(r"\\[A-Za-z]+|\\.|[^\s{}]")
_REPORT_RE = re.compile(r"^\s*(MISS|low)\s+\S+\s+[\d.]+\s(.*)$")
INLINE_MIN_TOKENS = 3


@dataclass(slots=True)
class Score:
    """Counts of one document, or summed over a group of them."""

    docs: int = 0
    rows: int = 0
    regions: int = 0
    detected: int = 0
    correct: int = 0
    good: int = 0
    sim_sum: float = 0.0
    inline: int = 0
    seconds: float = 0.0
    inline_scored: int = 0  # documents scored with --inline
    inline_source: int = 0
    inline_matched: int = 0
    inline_extracted: int = 0
    inline_related: int = 0

    def add(self, other: Score) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def row(self, name: str) -> list[object]:
        rows = max(1, self.rows)
        return [
            name,
            self.docs,
            self.rows,
            self.regions,
            f"{self.detected / rows:.1%}",
            f"{self.correct / max(1, self.regions):.1%}",
            f"{self.good / rows:.1%}",
            f"{self.sim_sum / rows:.3f}",
            self.inline,
            _rate(self.inline_matched, self.inline_source) if self.inline_scored else "-",
            _rate(self.inline_related, self.inline_extracted) if self.inline_scored else "-",
            f"{self.seconds:.1f}",
        ]


def _rate(num: int, den: int) -> str:
    return f"{num / max(1, den):.1%}"


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


def score_inline(doc: BuiltDoc, score: Score) -> None:
    """Add the inline-math scores of ``scipix_search.eval.score_inline_math`` (recall over
    source inline formulas of >= 3 tokens, precision of the extracted inline equations)."""
    from scipix_search.eval import PaperFolder, score_inline_math

    res = score_inline_math(PaperFolder(doc.folder.name, doc.folder, doc.folder, doc.pdf))
    score.inline_scored = 1
    score.inline_source = res.source
    score.inline_matched = res.matched
    score.inline_extracted = res.extracted
    score.inline_related = res.related
    score.seconds += res.seconds


_WORKER_OCR: object | None = None
_WORKER_INLINE = False


def _init_worker(with_ocr: bool, with_inline: bool) -> None:
    global _WORKER_OCR, _WORKER_INLINE
    _WORKER_OCR = load_ocr() if with_ocr else None
    _WORKER_INLINE = with_inline


def _score_in_worker(doc: BuiltDoc) -> DocResult:
    result = score_document(doc, _WORKER_OCR)
    if _WORKER_INLINE:
        score_inline(doc, result.score)
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


def reader_version() -> str:
    """The commit the reader comes from, and whether its package has uncommitted edits
    (figures move with the reader: say which one produced them)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "scipix_search"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return f"{head or 'unknown'}{' + uncommitted changes in scipix_search/' if dirty else ''}"


def score_document(doc: BuiltDoc, ocr: object | None) -> DocResult:
    """Run the scorer on one document folder and attribute its missed and low rows to the
    display construction each source row came from."""
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        res = evaluate(doc.folder, ocr=ocr, verbose=True)
    equations = read_tex_equations(doc.folder)
    inline = sum(
        not e.display and len(_TOKEN_RE.findall(e.latex)) >= INLINE_MIN_TOKENS for e in equations
    )
    score = Score(
        1,
        int(res["rows"]),
        int(res["regions"]),
        int(res["detected"]),
        int(res["correct"]),
        int(res["good"]),
        float(res["sim_sum"]),
        inline,
        float(res["seconds"]),
    )
    rows = [(e.latex, c) for e, c in zip(_display(equations), _constructs(doc), strict=False)]
    return DocResult(doc, score, _by_construct(rows, report.getvalue()), report.getvalue())


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
    print(f"reader: git {reader_version()}")
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
