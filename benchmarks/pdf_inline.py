"""Inline math extracted from PDFs, scored against the inline formulas of the LaTeX source.

Usage:
    python benchmarks/pdf_inline.py [--papers ../shared/data/papers] [--half a|b] [-v]

For every paper folder (main .tex + the PDF compiled from it), the scores of
``scipix_search.eval.score_inline_math``:

* ``src>=3``: the source's inline formulas of at least three canonical tokens;
* ``recall``: share of those matched by a stored inline equation at token similarity >= 0.8;
* ``stored``: inline equations read from the PDF;
* ``precision``: share of those that match some source formula (inline or display) at >= 0.5;
* ``s/page``: seconds per page to locate display and inline equations (text layer, no OCR).

``--half a`` / ``--half b`` score one half of the papers, split by a hash of the folder name
(stable as the corpus grows): develop on one half, confirm on the other. ``-v`` lists each
missed source formula beside the stored inline equations of the printed line nearest to it,
and each stored inline equation that matches no source formula.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import half_of  # noqa: E402
from scipix_search.eval import (  # noqa: E402
    InlineScore,
    paper_folders,
    print_table,
    score_inline_math,
    shared_data_dir,
)

HEADER = ("paper", "pages", "src>=3", "recall", "stored", "precision", "s/page")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=Path, default=shared_data_dir() / "papers")
    parser.add_argument("--half", choices=("a", "b"), help="score one half of the papers")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false hits")
    args = parser.parse_args(argv)
    papers = [p for p in paper_folders(args.papers) if args.half in (None, half_of(p.name))]
    if not papers:
        parser.error(f"no paper folders under {args.papers}")
    total, pages = InlineScore(), 0
    halves: dict[str, tuple[InlineScore, int]] = {}
    rows: list[list[object]] = []
    for paper in papers:
        report: list[str] | None = [] if args.verbose else None
        res = score_inline_math(paper, report=report)
        with pymupdf.open(paper.pdf) as doc:
            n = doc.page_count
        if report:
            print(f"{paper.name} (half {half_of(paper.name)})")
            for line in report:
                print(f"   {line}")
        total += res
        pages += n
        half, half_pages = halves.get(half_of(paper.name), (InlineScore(), 0))
        halves[half_of(paper.name)] = (half + res, half_pages + n)
        rows.append(_row(f"{paper.name} ({half_of(paper.name)})", n, res))
    if len(halves) > 1:
        rows.extend(_row(f"half {h}", n, res) for h, (res, n) in sorted(halves.items()))
    rows.append(_row("overall", pages, total))
    print_table(HEADER, rows)
    return 0


def _row(name: str, pages: int, r: InlineScore) -> list[object]:
    return [
        name,
        pages,
        r.source,
        f"{r.recall:.1%}",
        r.extracted,
        f"{r.precision:.1%}",
        f"{r.seconds / max(1, pages):.2f}",
    ]


if __name__ == "__main__":
    raise SystemExit(main())
