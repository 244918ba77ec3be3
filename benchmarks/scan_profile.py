"""Where a scanned page's seconds go: each stage of the scan path timed apart.

    python benchmarks/scan_profile.py [--half dev] [--papers N] [--dpi 200] [--engine rapidocr]

Each of the first ``--papers`` papers of the half gives its first page with displays, scanned
as ``benchmarks/scans.py`` scans it (same :func:`~scipix_search.eval.scan_pdf`, same seeds),
and then the stages of ingestion's scan path run one by one, as
``pipeline._ocr_scanned_pages`` runs them: rendering at ``SCAN_DPI``, deskew, text OCR, the
layout model with the display rules (``FormulaDetector.displays``) and the formula OCR of the
page's crops (one batch per document, scaled by the prose lines): its displays (a multi-row
one by its rows) and its lines of math outside them (``ingest.math_lines``, stored as inline
math). Each stage's wall seconds
and the process's CPU seconds are printed per page, and the models' loading apart (once a
process, not a page's cost). The load shows in the wall seconds: say it with them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import code_version  # noqa: E402
from benchmarks.scans import load_papers  # noqa: E402
from scipix_search.config import Settings  # noqa: E402
from scipix_search.eval import print_table, scan_pdf  # noqa: E402
from scipix_search.ingest import (  # noqa: E402
    crop_box,
    math_lines,
    prose_crops,
    render_page,  # noqa: E402
)
from scipix_search.ocr import FormulaDetector, LatexRecognizer, TextRecognizer, deskew  # noqa: E402
from scipix_search.pipeline import SCAN_DPI  # noqa: E402


class Clock:
    """Wall and CPU seconds per stage, summed over the pages."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    def time(self, stage: str, call: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        out = call()
        self.wall[stage] += time.perf_counter() - wall
        self.cpu[stage] += time.process_time() - cpu
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--papers", type=int, default=3, help="papers (one page each)")
    parser.add_argument("--dpi", type=int, default=200, help="resolution of the scan")
    parser.add_argument("--engine", choices=["rapidocr", "tesseract"], default="rapidocr")
    args = parser.parse_args()

    settings = Settings(text_ocr=args.engine)
    clock = Clock()
    text = clock.time("load models", lambda: TextRecognizer.from_settings(settings))
    detector = clock.time("load models", lambda: FormulaDetector.from_settings(settings))
    latex = clock.time("load models", lambda: LatexRecognizer.from_settings(settings))
    papers = load_papers(args.half, 1)[: args.papers]
    counts: dict[str, int] = defaultdict(int)
    for index, paper in enumerate(papers):
        data = scan_pdf(paper.folder.pdf, paper.pages, args.dpi, seed=1000 * args.dpi + index)
        with pymupdf.open(stream=data) as scan:
            pixels = clock.time("render", lambda scan=scan: render_page(scan[0], SCAN_DPI))
        pixels = clock.time("deskew", lambda pixels=pixels: deskew(pixels)[0])
        lines = clock.time("text OCR", lambda pixels=pixels: text.read_array(pixels, page=0))
        regions = clock.time("layout + rules", lambda p=pixels, ls=lines: detector.displays(p, ls))
        # as ingestion reads them (PageEquations): a multi-row display by its rows' crops
        crops = [
            crop_box(pixels, tuple(box))
            for r in regions
            for box in (r.rows if len(r.rows) > 1 else (r.bbox,))
        ]
        # and the lines of math outside them, read in the same batch as inline math
        inline = math_lines(lines, [tuple(r.bbox) for r in regions])
        crops += [crop_box(pixels, tuple(line.bbox)) for line in inline]
        counts["displays"] += len(regions)
        counts["math lines"] += len(inline)
        prose = prose_crops(pixels, lines)
        if crops:
            clock.time(
                "formula OCR",
                lambda c=crops, p=prose: latex.batch(c, same_document=True, prose=p, scanned=True),
            )
    pages = max(len(papers), 1)
    stages = [s for s in clock.wall if s != "load models"]
    rows = [(s, f"{clock.wall[s] / pages:.2f}", f"{clock.cpu[s] / pages:.2f}") for s in stages]
    rows.append(
        (
            "page total",
            f"{sum(clock.wall[s] for s in stages) / pages:.2f}",
            f"{sum(clock.cpu[s] for s in stages) / pages:.2f}",
        )
    )
    rows.append(("load models (once)", f"{clock.wall['load models']:.2f}", ""))
    print_table(
        ["stage", "wall s/page", "CPU s/page"],
        rows,
        title=(
            f"Scan path by stage, {args.engine}, {len(papers)} pages ({args.half} half), "
            f"{args.dpi} dpi; code {code_version()}; load {os.getloadavg()[0]:.1f}"
        ),
    )
    print(  # noqa: T201 - benchmark output
        f"crops a page: {counts['displays'] / pages:.1f} displays, "
        f"{counts['math lines'] / pages:.1f} lines of math outside them"
    )


if __name__ == "__main__":
    main()
