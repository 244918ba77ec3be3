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
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scipix_search.ingest import (  # noqa: E402
    find_equation_regions,
    read_tex_equations,
    regions_to_equations,
)
from scipix_search.ingest.pair import similarity  # noqa: E402


def glyph_signature(latex_or_text: str, *, is_latex: bool) -> Counter[str]:
    """Letters and digits a formula prints (command names removed from LaTeX)."""
    text = latex_or_text
    if is_latex:
        text = re.sub(r"\\(?:begin|end)\{[^}]*\}", " ", text)
        text = re.sub(r"\\[A-Za-z]+", " ", text)
    return Counter(c for c in text if c.isascii() and c.isalnum())


def contained(small: Counter[str], big: Counter[str]) -> float:
    total = sum(small.values())
    if not total:
        return 0.0
    return sum(min(n, big[c]) for c, n in small.items()) / total


def find_pdf(folder: Path, main_tex: str | None = None) -> Path | None:
    pdfs = sorted(folder.glob("*.pdf"))
    for stem in ("main", "manuscript", "ms", "paper"):
        for pdf in pdfs:
            if pdf.stem == stem:
                return pdf
    return max(pdfs, key=lambda p: p.stat().st_size) if pdfs else None


def evaluate(folder: Path, *, ocr: object | None, verbose: bool) -> dict[str, float]:
    tex = [e for e in read_tex_equations(folder) if e.display]
    pdf = find_pdf(folder)
    if pdf is None:
        raise SystemExit(f"no PDF in {folder}")
    start = time.perf_counter()
    regions = find_equation_regions(pdf, render=ocr is not None)
    # the ingestion path: one OCR batch per document, multi-row displays read row by row
    equations = regions_to_equations(regions, ocr)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    region_latex: list[list[str]] = []
    cursor = 0
    for region in regions:
        n = 1 + len(region.rows)
        region_latex.append([e.latex for e in equations[cursor : cursor + n] if e.latex])
        cursor += n

    def region_sim(latex: str, i: int) -> float:
        return max((similarity(latex, c) for c in region_latex[i]), default=0.0)

    envs: dict[int, Counter[str]] = {}
    for eq in tex:
        envs.setdefault(eq.env_index, Counter()).update(glyph_signature(eq.latex, is_latex=True))
    sigs = [glyph_signature(r.text, is_latex=False) for r in regions]
    numbers = {e.number for e in tex if e.number}
    detected = good = 0
    sims = []
    for eq in tex:
        best = max((region_sim(eq.latex, i) for i in range(len(regions))), default=0.0)
        sims.append(best)
        sig = glyph_signature(eq.latex, is_latex=True)
        hit = best >= 0.5 or any(
            (eq.number and r.number == eq.number)
            or (sum(sig.values()) >= 3 and contained(sig, s) >= 0.85)
            for r, s in zip(regions, sigs, strict=True)
        )
        detected += bool(hit)
        good += best >= 0.8
        if verbose and (not hit or best < 0.8):
            print(
                f"   {'MISS' if not hit else 'low '} {eq.number or '-':>5} {best:.2f} {eq.latex[:90]}"
            )
    correct = 0
    for i, (r, s) in enumerate(zip(regions, sigs, strict=True)):
        ok = (
            (r.number is not None and r.number in numbers)
            or any(region_sim(e.latex, i) >= 0.5 for e in tex)
            or any(sum(s.values()) >= 2 and contained(s, env) >= 0.85 for env in envs.values())
        )
        correct += ok
        if verbose and not ok:
            print(f"   FP   p{r.page} {r.number or '-':>5} {r.text[:90]!r}")
    return {
        "envs": len(envs),
        "rows": len(tex),
        "regions": len(regions),
        "detected": detected,
        "correct": correct,
        "good": good,
        "sim_sum": sum(sims),
        "seconds": elapsed,
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
    parser.add_argument("--papers", type=Path, default=ROOT.parent / "shared/data/papers")
    parser.add_argument("--ocr", action="store_true", help="score OCR LaTeX of the crops too")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false hits")
    args = parser.parse_args(argv)
    ocr = load_ocr() if args.ocr else None
    folders = sorted(p for p in args.papers.iterdir() if p.is_dir())
    path = "ocr" if ocr is not None else "text layer"
    header = f"{'paper':28} {'envs':>4} {'rows':>4} {'regions':>7} {'det_recall':>10} {'precision':>9} {'latex@0.8':>9} {'mean_sim':>8} {'sec':>5}"
    print(f"LaTeX path: {path}\n{header}\n{'-' * len(header)}")
    total: Counter[str] = Counter()
    for folder in folders:
        res = evaluate(folder, ocr=ocr, verbose=args.verbose)
        total.update(res)
        _row(folder.name, res)
    print("-" * len(header))
    _row("overall", total)
    return 0


def _row(name: str, r: dict[str, float]) -> None:
    rows = max(1, r["rows"])
    print(
        f"{name:28} {r['envs']:>4} {r['rows']:>4} {r['regions']:>7} "
        f"{r['detected'] / rows:>10.1%} {r['correct'] / max(1, r['regions']):>9.1%} "
        f"{r['good'] / rows:>9.1%} {r['sim_sum'] / rows:>8.2f} {r['seconds']:>5.1f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
