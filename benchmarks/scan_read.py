"""Reading scanned equations apart from finding them: the formula OCR on oracle boxes.

    python benchmarks/scan_read.py [--half test] [--pages 1] [--dpi 150 200]
        [--papers DIR | --typeset ...]

``benchmarks/scans.py`` scores the whole scan path, where a display the detector misses or
boxes badly is also a display not read. Here the detector is replaced by the born-digital
display regions (the oracle boxes): each sampled page is scanned as ``scans.py`` scans it (same
:func:`~scipix_search.eval.scan_pdf`, same seeds), rendered and levelled as ingestion renders a
page without a text layer, and cropped at the true boxes and read as
:class:`~scipix_search.ingest.PageEquations` crops and reads a detector's boxes (its crop
margin, one batch per document, scaled by the glyph height of the page's prose lines: the
text layer's lines stand in for the text OCR's). Beside it the same regions are cropped from
the clean born-digital rendering at the same resolution and read the same way, so the table
says how much of the reading is lost to the scan itself.

latex@0.6 / latex@0.8: share of regions whose read has normalised-token similarity >= 0.6 /
0.8 with the source (its best display row, or whole environment), as in ``scans.py``.

``--papers DIR`` reads another corpus of paper folders (a typeset corpus built with a fresh
seed, for data no one tuned on); ``--half`` splits it by position in name order the same way
(even positions dev, odd positions test); ``--typeset`` reads documents of the typeset
corpus with the builder's options (its truth as in ``scans.py``). ``--dump DIR`` writes
every crop (PNG) with its source rows and reads (``reads.jsonl``). ``--doubt 0.6 0.3 ...`` reads the same crops once per
scan doubt threshold (``Settings.ocr_scan_doubt_below``) and adds each one's CPU seconds: the
curve its value was chosen on.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import code_version  # noqa: E402
from benchmarks.scans import (  # noqa: E402
    Paper,
    add_corpus_args,
    add_scan_args,
    load_corpus,
    scan_options,
)  # noqa: E402
from scipix_search.config import Settings  # noqa: E402
from scipix_search.eval import print_table, scan_pdf, text_layer_lines  # noqa: E402
from scipix_search.ingest import (  # noqa: E402
    crop_box,
    prose_crops,
    render_page,  # noqa: E402
)
from scipix_search.math import token_similarity  # noqa: E402
from scipix_search.ocr import deskew  # noqa: E402
from scipix_search.pipeline import SCAN_DPI, Models  # noqa: E402


@dataclass
class Scores:
    regions: int = 0
    latex6: int = 0
    latex8: int = 0
    seconds: float = 0.0
    cpu: float = 0.0


def paper_crops(paper: Paper, pdf: bytes | Path, *, scanned: bool) -> tuple[list, list]:
    """Crops of the paper's true regions on its sampled pages and its prose lines, cut as
    :class:`~scipix_search.ingest.PageEquations` cuts a detector's boxes (its margin)."""
    scale = SCAN_DPI / 72
    crops, prose = [], []
    document = pymupdf.open(stream=pdf) if isinstance(pdf, bytes) else pymupdf.open(pdf)
    with document, pymupdf.open(paper.folder.pdf) as original:
        for number, page in enumerate(paper.pages):
            # a scan is page `number` of the image-only PDF; the clean page is the original's
            pixels = render_page(document[number if scanned else page], SCAN_DPI)
            if scanned:
                pixels = deskew(pixels)[0]  # levelled as ingestion levels a scan
            # the prose ruler, from the text layer's lines standing in for the text OCR's
            prose.extend(prose_crops(pixels, text_layer_lines(original[page], SCAN_DPI)))
            for box in paper.truth[page]:
                crops.append(
                    crop_box(
                        pixels, (box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)
                    )
                )
    return crops, prose


def read_crops(crops: list, prose: list, recognizer: Any) -> list:
    """The crops read as :class:`~scipix_search.ingest.PageEquations` reads them (one batch
    per document, scaled by the prose lines' glyph height, page images' doubt threshold)."""
    results = recognizer.batch(crops, same_document=True, prose=prose, scanned=True)
    return list(zip(crops, results, strict=True))


def score(
    paper: Paper, reads: list, scores: Scores, dump: Path | None, tag: str, log: list[dict]
) -> None:
    for k, (crop, result) in enumerate(reads):
        best = max((token_similarity(result.latex, row) for row in paper.rows), default=0.0)
        scores.regions += 1
        scores.latex6 += best >= 0.6
        scores.latex8 += best >= 0.8
        if dump is not None:
            from PIL import Image

            name = f"{paper.folder.name}__{tag}__{k}.png"
            Image.fromarray(crop).save(dump / name)
            log.append(
                {
                    "crop": name,
                    "paper": paper.folder.name,
                    "tag": tag,
                    "read": result.latex,
                    "sim": round(best, 3),
                    "scale": result.scale,
                }
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=["dev", "test", "all"], default="test")
    parser.add_argument("--pages", type=int, default=1, help="pages with displays per paper")
    parser.add_argument("--skip", type=int, default=0, help="pages with displays passed over first")
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 200])
    add_scan_args(parser)
    parser.add_argument("--limit", type=int, default=0, help="first N papers of the half")
    parser.add_argument("--dump", type=Path, help="write crops and reads here")
    parser.add_argument(
        "--doubt",
        type=float,
        nargs="+",
        help="scan doubt thresholds to read each crop set with (default: the settings')",
    )
    add_corpus_args(parser)
    args = parser.parse_args()

    corpus = load_corpus(args)
    papers = corpus.papers
    if args.limit:
        papers = papers[: args.limit]
    models = Models(Settings(data_dir=Path(tempfile.mkdtemp()) / "models-data"))
    recognizer = models.latex_recognizer
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
    log: list[dict] = []
    settings: list[tuple[str, int | None]] = [("clean", None)] + [
        (f"scan {dpi} dpi", dpi) for dpi in args.dpi
    ]
    doubts = args.doubt or [recognizer.scan_doubt_below]
    rows = []
    for label, dpi in settings:
        crop_sets = []
        for index, paper in enumerate(papers):
            if dpi is None:
                crop_sets.append(paper_crops(paper, paper.folder.pdf, scanned=False))
            else:
                data = scan_pdf(
                    paper.folder.pdf,
                    paper.pages,
                    dpi,
                    seed=1000 * dpi + index,
                    options=scan_options(args),
                )
                crop_sets.append(paper_crops(paper, data, scanned=True))
        for doubt in doubts:
            recognizer.scan_doubt_below = doubt
            scores = Scores()
            for paper, (crops, prose) in zip(papers, crop_sets, strict=True):
                started, cpu = time.perf_counter(), time.process_time()
                reads = read_crops(crops, prose, recognizer)
                scores.seconds += time.perf_counter() - started
                scores.cpu += time.process_time() - cpu
                tag = label.replace(" ", "") + (f"_doubt{doubt}" if args.doubt else "")
                score(paper, reads, scores, args.dump, tag, log)
            n = max(scores.regions, 1)
            rows.append(
                (
                    label,
                    f"{doubt:g}",
                    scores.regions,
                    f"{scores.latex6 / n:.3f}",
                    f"{scores.latex8 / n:.3f}",
                    f"{scores.seconds / n:.2f}",
                    f"{scores.cpu / n:.3f}",
                )
            )
    if args.dump:
        with (args.dump / "reads.jsonl").open("w") as handle:
            for entry in log:
                handle.write(json.dumps(entry) + "\n")
        (args.dump / "rows.json").write_text(
            json.dumps({p.folder.name: p.rows for p in papers}, indent=0)
        )
    print_table(
        ["setting", "doubt", "regions", "latex@0.6", "latex@0.8", "s/region", "CPU s/region"],
        rows,
        title=(
            f"Oracle-box reading, {corpus.name} ({len(papers)} papers, "
            f"{args.pages} page(s) each), rendered at {SCAN_DPI} dpi as ingestion does; scans: "
            f"{scan_options(args).describe()}; code {code_version()}; "
            f"load {os.getloadavg()[0]:.1f}"
        ),
    )
    if corpus.note:
        print(corpus.note)  # noqa: T201 - benchmark output


if __name__ == "__main__":
    main()
