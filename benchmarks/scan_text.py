"""Text OCR of scanned pages alone: character error rate and seconds a page, per engine.

    python benchmarks/scan_text.py [--half test] [--pages 1] [--dpi 200]
        [--engines tesseract rapidocr tesseract:6 tesseract:11]

The pages are those of ``benchmarks/scans.py`` (each real paper's first ``--pages`` pages with
display equations, the papers split by position in name order: even positions dev, odd test),
degraded the same way with the same seeds (``eval.degrade_page``: skew, blur, noise, JPEG)
and levelled as ingestion levels them (``ocr.deskew``); then each engine reads every page.
Printed per engine: CER of the lines outside the born-digital display regions against the text
layer there (each side's words sorted, as ``scans.py`` scores passages), and per page the wall
seconds and the CPU seconds of this process and its children (Tesseract runs as a program),
with the load average (the machine is shared: CPU seconds are the steadier figure).
``tesseract:N`` is Tesseract with page segmentation mode N (the default engine uses 3).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import code_version  # noqa: E402
from benchmarks.scans import (  # noqa: E402
    _words_outside,
    levenshtein_chars,
    load_papers,
    sorted_words,
)
from scipix_search.eval import degrade_page, print_table  # noqa: E402
from scipix_search.ingest import render_page  # noqa: E402
from scipix_search.ocr import TesseractEngine, TextLine, TextRecognizer, deskew  # noqa: E402

Box = tuple[float, float, float, float]


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _reader(name: str) -> TextRecognizer:
    engine, _, psm = name.partition(":")
    recognizer = TextRecognizer(engine="rapidocr" if engine == "rapidocr" else "tesseract")
    if psm:
        recognizer._tesseract = TesseractEngine(psm=int(psm))
    return recognizer


def _outside(lines: list[TextLine], boxes: list[Box], scale: float) -> list[str]:
    kept = []
    for line in lines:
        cx = (line.bbox[0] + line.bbox[2]) / 2 * scale
        cy = (line.bbox[1] + line.bbox[3]) / 2 * scale
        if not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes):
            kept.append(line.text)
    return kept


Scan = tuple[str, np.ndarray, list[Box], str]


def levelled_scans(
    half: str, pages: int, dpi: int, *, skew: float = 1.0, jpeg: int = 75
) -> list[Scan]:
    """``(label, levelled pixels, display boxes, words outside them)`` of each page of the half,
    degraded with the seeds of ``scans.py`` (one generator a paper, its pages in order)."""
    scans = []
    for index, paper in enumerate(load_papers(half, pages)):
        rng = np.random.default_rng(1000 * dpi + index)
        with pymupdf.open(paper.folder.pdf) as document:
            for page in paper.pages:
                data = degrade_page(
                    render_page(document[page], dpi), dpi, rng, skew=skew, jpeg=jpeg
                )
                text = _words_outside(document[page], paper.truth[page])
                pixels = deskew(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))[0]
                scans.append((f"{paper.folder.name} p{page + 1}", pixels, paper.truth[page], text))
    return scans


def page_edits_of(lines: list[TextLine], truth: list[Box], text: str, dpi: int) -> int:
    """Character edits between the lines read outside the display boxes and ``text`` (each
    side's words sorted)."""
    return levenshtein_chars(sorted_words(_outside(lines, truth, 72.0 / dpi)), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=["dev", "test", "all"], default="test")
    parser.add_argument("--pages", type=int, default=1, help="pages with displays per paper")
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--skew", type=float, default=1.0)
    parser.add_argument("--jpeg", type=int, default=75)
    parser.add_argument("--engines", nargs="+", default=["tesseract", "rapidocr"])
    parser.add_argument("-v", "--verbose", action="store_true", help="a line per page")
    args = parser.parse_args()

    scans = levelled_scans(args.half, args.pages, args.dpi, skew=args.skew, jpeg=args.jpeg)
    rows = []
    for name in args.engines:
        reader = _reader(name)
        edits = chars = 0
        wall = cpu = 0.0
        loads = []
        for label, pixels, truth, text in scans:
            cpu0, wall0 = _cpu(), time.perf_counter()
            lines = reader.read_array(pixels)
            page_wall, page_cpu = time.perf_counter() - wall0, _cpu() - cpu0
            page_edits = page_edits_of(lines, truth, text, args.dpi)
            edits, chars = edits + page_edits, chars + len(text)
            wall, cpu = wall + page_wall, cpu + page_cpu
            loads.append(os.getloadavg()[0])
            if args.verbose:
                print(  # noqa: T201 - benchmark output
                    f"  {name} {label}: CER {page_edits / max(len(text), 1):.3f}, "
                    f"{page_wall:.2f} s wall, {page_cpu:.2f} s CPU, {len(lines)} lines"
                )
        n = max(len(scans), 1)
        rows.append(
            (
                name,
                len(scans),
                f"{edits / max(chars, 1):.3f}",
                f"{wall / n:.2f}",
                f"{cpu / n:.2f}",
                f"{min(loads, default=0):.1f}-{max(loads, default=0):.1f}",
            )
        )
    print_table(
        ["engine", "pages", "CER", "s/page wall", "s/page CPU", "load"],
        rows,
        title=(
            f"Text OCR of scans of the {args.half} half, {args.dpi} dpi, skew <= {args.skew} "
            f"deg, blur, noise 8, JPEG q{args.jpeg}, levelled; code {code_version()}"
        ),
    )


if __name__ == "__main__":
    main()
