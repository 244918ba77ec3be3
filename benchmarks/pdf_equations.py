"""Display-equation extraction from PDFs, scored against the LaTeX source of the same paper.

Usage:
    python benchmarks/pdf_equations.py [--papers ../shared/data/papers] [--ocr] [-v]

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
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scipix_search.eval import (  # noqa: E402
    PaperFolder,
    PdfEquationScore,
    find_pdf,
    paper_folders,
    score_pdf_equations,
    shared_data_dir,
)


def evaluate(folder: Path, *, ocr: object | None, verbose: bool) -> dict[str, float]:
    """Score one paper folder (for scripts that pass a bare folder); see ``score_pdf_equations``."""
    pdf = find_pdf(folder)
    if pdf is None:
        raise SystemExit(f"no PDF in {folder}")
    report: list[str] | None = [] if verbose else None
    res = score_pdf_equations(PaperFolder(folder.name, folder, folder, pdf), ocr=ocr, report=report)
    for line in report or []:
        print(f"   {line}")
    return {
        "envs": res.envs,
        "rows": res.rows,
        "regions": res.regions,
        "detected": res.detected,
        "correct": res.correct,
        "good": res.good,
        "sim_sum": res.sim_sum,
        "seconds": res.seconds,
    }


def load_ocr() -> object | None:
    try:
        from scipix_search.config import get_settings
        from scipix_search.ocr import LatexRecognizer
    except ImportError as exc:
        print(f"--ocr: the ocr package is not importable ({exc}); text layer only")
        return None
    return LatexRecognizer(get_settings().model_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=Path, default=shared_data_dir() / "papers")
    parser.add_argument("--ocr", action="store_true", help="score OCR LaTeX of the crops too")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false hits")
    args = parser.parse_args(argv)
    ocr = load_ocr() if args.ocr else None
    path = "ocr" if ocr is not None else "text layer"
    header = f"{'paper':28} {'envs':>4} {'rows':>4} {'regions':>7} {'det_recall':>10} {'precision':>9} {'latex@0.8':>9} {'mean_sim':>8} {'sec':>5}"
    print(f"LaTeX path: {path}\n{header}\n{'-' * len(header)}")
    total = PdfEquationScore()
    worst = 1.0
    for paper in paper_folders(args.papers):
        report: list[str] | None = [] if args.verbose else None
        res = score_pdf_equations(paper, ocr=ocr, report=report)
        for line in report or []:
            print(f"   {line}")
        total += res
        worst = min(worst, res.latex_ok) if res.rows else worst
        _row(paper.name, res)
    print("-" * len(header))
    _row("overall", total)
    print(f"lowest paper latex@0.8: {worst:.1%}")
    return 0


def _row(name: str, r: PdfEquationScore) -> None:
    print(
        f"{name:28} {r.envs:>4} {r.rows:>4} {r.regions:>7} "
        f"{r.recall:>10.1%} {r.precision:>9.1%} "
        f"{r.latex_ok:>9.1%} {r.mean_similarity:>8.2f} {r.seconds:>5.1f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
