"""Display-equation extraction from PDFs, scored against the LaTeX source of the same paper.

Usage:
    python benchmarks/pdf_equations.py [--papers ../shared/data/papers] [--half a|b] [--ocr] [-v]

For every paper folder (main .tex + the PDF compiled from it) the display equations of the
source (one per row of row environments) are the ground truth. Reported per paper and overall:

* ``det_recall``: share of source rows for which some region exists on the PDF
  (same printed number, or the text-layer glyphs contain the row's letters and digits,
  or LaTeX similarity >= 0.5);
* ``precision``: share of regions that are real display equations (similarity >= 0.5 with
  some source row, same number, or glyphs contained in a source environment);
* ``latex@0.8``: share of source rows matched by an extracted equation whose LaTeX (text
  layer, or OCR with ``--ocr``) has normalised-token similarity >= 0.8; the equations are
  those ingestion stores (``regions_to_equations``: one per region, plus one per row of a
  multi-row display, each row read from its own crop; OCR in one batch per document);
* ``mean_sim``: mean best similarity per source row.

Rows are compared as the page prints them: a bold command around symbols that the region's
fonts set regular (``\\boldsymbol{\\nabla}`` in ``mathptmx``, ``\\mathbf{\\nabla}`` anywhere)
is dropped (``scipix_search.eval._printed``); the line under the table gives latex@0.8 against
the rows as written, overall and for the lowest paper.

Each paper's name carries its half (``a`` or ``b``, a hash of the folder name, as in
``pdf_inline.py``); a summary row per half follows the papers when both are scored.
``--half a`` / ``--half b`` score one half only: develop on one, confirm on the other.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import half_of, load_ocr  # noqa: E402
from scipix_search.eval import (  # noqa: E402
    PdfEquationScore,
    paper_folders,
    print_table,
    score_pdf_equations,
    shared_data_dir,
)

HEADER = (
    "paper", "envs", "rows", "regions", "det_recall", "precision", "latex@0.8", "mean_sim", "sec",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=Path, default=shared_data_dir() / "papers")
    parser.add_argument("--half", choices=("a", "b"), help="score one half of the papers")
    parser.add_argument("--ocr", action="store_true", help="score OCR LaTeX of the crops too")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false hits")
    args = parser.parse_args(argv)
    papers = [p for p in paper_folders(args.papers) if args.half in (None, half_of(p.name))]
    if not papers:
        parser.error(f"no paper folders under {args.papers}")
    ocr = load_ocr() if args.ocr else None
    path = "ocr" if ocr is not None else "text layer"
    print(f"LaTeX path: {path}")
    total = PdfEquationScore()
    halves: dict[str, PdfEquationScore] = {}
    worst = worst_written = 1.0
    rows: list[list[object]] = []
    for paper in papers:
        report: list[str] | None = [] if args.verbose else None
        res = score_pdf_equations(paper, ocr=ocr, report=report)
        half = half_of(paper.name)
        if report:
            print(f"{paper.name} (half {half})")
        for line in report or []:
            print(f"   {line}")
        total += res
        halves[half] = halves.get(half, PdfEquationScore()) + res
        if res.rows:
            worst = min(worst, res.latex_ok)
            worst_written = min(worst_written, res.latex_ok_as_written)
        rows.append(_row(f"{paper.name} ({half})", res))
    if len(halves) > 1:
        rows.extend(_row(f"half {h}", res) for h, res in sorted(halves.items()))
    rows.append(_row("overall", total))
    print_table(HEADER, rows)
    print(f"lowest paper latex@0.8: {worst:.1%}")
    print(
        f"against the rows as written (bold the fonts do not print kept): latex@0.8 "
        f"{total.latex_ok_as_written:.1%}, lowest paper {worst_written:.1%}"
    )
    return 0


def _row(name: str, r: PdfEquationScore) -> list[object]:
    return [
        name,
        r.envs,
        r.rows,
        r.regions,
        f"{r.recall:.1%}",
        f"{r.precision:.1%}",
        f"{r.latex_ok:.1%}",
        f"{r.mean_similarity:.2f}",
        f"{r.seconds:.1f}",
    ]


if __name__ == "__main__":
    raise SystemExit(main())
