"""Display detection on scanned pages alone: the display rules on each text engine's lines.

    python benchmarks/scan_detect.py [--half dev] [--pages 1] [--skip 0] [--dpi 200]
        [--engines rapidocr tesseract] [--papers DIR | --typeset ...] [--lines-cache DIR] [-v]

``benchmarks/scans.py`` runs the whole ingestion, where the text OCR costs most of a page and
the formula OCR the rest. Detection is what decides recall and precision, so here only it
runs: each page is scanned as ``scans.py`` scans it (same :func:`~scipix_search.eval.scan_pdf`,
same seeds), rendered and levelled as ingestion renders a page without a text layer, read by
each text engine, and ``FormulaDetector.displays`` (the layout model and the display rules of
``ocr/_displays.py``) boxes its displays, scored against the born-digital display regions
(IoU >= 0.5, one to one) as in ``scans.py``. The boxes are those ingestion stores, so the
recall and precision printed are ``scans.py``'s.

``--lines-cache DIR`` keeps each engine's lines of each page (a pickle per corpus, half,
engine and dpi): a second run with changed display rules then takes seconds instead of the
text OCR's minutes. Delete it when the text OCR changes. ``--papers DIR`` reads another
corpus of paper folders (a retypeset setup: data no rule was chosen on), ``--typeset``
documents of the typeset corpus with the builder's options (its truth as in ``scans.py``;
``--half`` does not apply); ``-v`` lists every missed and every false box per page (in PDF
points): for the dev half and fresh corpora only, the test half is held out.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import code_version  # noqa: E402
from benchmarks.scans import (  # noqa: E402
    Paper,
    add_corpus_args,
    add_scan_args,
    load_corpus,
    scan_options,
)
from scipix_search.config import Settings  # noqa: E402
from scipix_search.eval import ScanOptions, match_pairs, print_table, scan_pdf  # noqa: E402
from scipix_search.ingest import render_page  # noqa: E402
from scipix_search.ocr import FormulaDetector, TextRecognizer, deskew  # noqa: E402
from scipix_search.pipeline import SCAN_DPI  # noqa: E402

Box = tuple[float, float, float, float]


def scanned_pages(
    papers: list[Paper], dpi: int, options: ScanOptions | None = None
) -> list[tuple[str, np.ndarray, list[Box]]]:
    """(name, levelled page pixels at ``SCAN_DPI``, true boxes in points) per sampled page."""
    out = []
    for index, paper in enumerate(papers):
        data = scan_pdf(
            paper.folder.pdf, paper.pages, dpi, seed=1000 * dpi + index, options=options
        )
        with pymupdf.open(stream=data) as scan:
            for number, page in enumerate(paper.pages):
                pixels = deskew(render_page(scan[number], SCAN_DPI))[0]
                out.append((f"{paper.folder.name} p{page + 1}", pixels, paper.truth[page]))
    return out


def read_lines(
    engine: str, scans: list[tuple[str, np.ndarray, list[Box]]], cache: Path | None
) -> list[list[Any]]:
    """The engine's text lines of every page, from ``cache`` when it holds them."""
    if cache is not None and cache.exists():
        with cache.open("rb") as handle:
            cached: list[list[Any]] = pickle.load(handle)  # noqa: S301 - our own file
        if len(cached) == len(scans):
            return cached
    reader = TextRecognizer.from_settings(Settings(text_ocr=engine))  # type: ignore[arg-type]
    lines = [reader.read_array(pixels) for _, pixels, _ in scans]
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with cache.open("wb") as handle:
            pickle.dump(lines, handle)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--pages", type=int, default=1, help="pages with displays per paper")
    parser.add_argument(
        "--skip", type=int, default=0, help="pages with displays passed over first (as scans.py)"
    )
    parser.add_argument("--dpi", type=int, default=200, help="resolution of the scan")
    parser.add_argument("--engines", nargs="+", default=["rapidocr", "tesseract"])
    parser.add_argument("--lines-cache", type=Path, help="keep each engine's lines here")
    parser.add_argument("-v", "--verbose", action="store_true", help="misses and false boxes")
    add_scan_args(parser)
    add_corpus_args(parser)
    args = parser.parse_args()

    loaded = load_corpus(args)
    options = scan_options(args)
    scans = scanned_pages(loaded.papers, args.dpi, options)
    detector = FormulaDetector.from_settings(Settings())
    corpus = args.papers.name if args.papers else "papers"
    if args.typeset:  # the cache names the documents (a grid, its options, the build seed)
        names = ",".join(p.folder.name for p in loaded.papers)
        corpus = f"typeset-{args.seed}-{zlib.crc32(names.encode()):08x}"
    points = 72.0 / SCAN_DPI
    rows = []
    for engine in args.engines:
        cache = None
        if args.lines_cache:
            part = f"{args.pages}" if not args.skip else f"{args.skip}+{args.pages}"
            # a degradation other than the default is named in the file (the default's files
            # keep their names: the caches made before the options still serve)
            scan = "" if options == ScanOptions() else f"-{zlib.crc32(repr(options).encode()):08x}"
            cache = args.lines_cache / f"{corpus}-{args.half}-{part}-{engine}-{args.dpi}{scan}.pkl"
        started = time.perf_counter()
        lines = read_lines(engine, scans, cache)
        read_s = time.perf_counter() - started
        truth = found = matched = 0
        started = time.perf_counter()
        for (name, pixels, true), page_lines in zip(scans, lines, strict=True):
            boxes = [
                tuple(v * points for v in r.bbox) for r in detector.displays(pixels, page_lines)
            ]
            pairs = match_pairs(true, boxes)  # type: ignore[arg-type]
            truth, found, matched = truth + len(true), found + len(boxes), matched + len(pairs)
            if args.verbose:
                for i, box in enumerate(true):
                    if i not in pairs:
                        print(f"  {engine} {name} missed {tuple(round(v) for v in box)}")  # noqa: T201
                for j, box in enumerate(boxes):
                    if j not in pairs.values():
                        print(f"  {engine} {name} false {tuple(round(v) for v in box)}")  # noqa: T201
        rows.append(
            (
                engine,
                len(scans),
                truth,
                f"{matched / max(truth, 1):.3f}",
                f"{matched / max(found, 1):.3f}",
                f"{read_s / max(len(scans), 1):.2f}",
                f"{(time.perf_counter() - started) / max(len(scans), 1):.2f}",
            )
        )
    print_table(
        ["lines", "pages", "regions", "recall", "precision", "lines s/page", "detect s/page"],
        rows,
        title=(
            f"Display detection on scans of {loaded.name}, {args.dpi} dpi, {options.describe()}; "
            f"code {code_version()}; load {os.getloadavg()[0]:.1f}"
        ),
    )
    if loaded.note:
        print(loaded.note)  # noqa: T201 - benchmark output


if __name__ == "__main__":
    main()
