"""RapidOCR's text recognizer with its pointwise convolutions in int8, against the float one.

    python benchmarks/scan_rec_int8.py [--half dev] [--built] [--min-channels 192]
        [--no-after-gelu] [--save rec.int8.onnx]

``--built`` scores the int8 recognizer that ``scipix-search models build`` wrote into the
model cache (the one ingestion reads scans with, ``ocr/_text_int8.py``); otherwise a variant
of the recipe is built here from the options (docs/scans.md, scanspeed2). The recognizer of the rapidocr wheel, its CJK classes cut as
``TextRecognizer`` cuts them, converted to opset 13 (per-channel weights need it) and quantised
by ONNX Runtime (static QDQ, MinMax, activations uint8 per tensor, weights int8 per output
channel) at the 1x1 convolutions whose input and output channel counts are both at least
``--min-channels`` (``--no-after-gelu``: not those reading a GELU's output, whose long tail
is where the int8 reads part from the float ones; ``--smooth`` their SmoothQuant alpha,
0.5 by default, 0 for none). Calibration: the recognizer's own inputs on
the three ``samples/`` papers degraded as scans (never the benchmark's papers). Then both
recognizers read every page of the half (``scan_text.py``'s scans, levelled), one after the
other per page: CER of the lines outside the displays (as ``scan_text.py``), lines read
otherwise, and the recognizer session's CPU seconds a page.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import code_version  # noqa: E402
from benchmarks.scan_text import levelled_scans, page_edits_of  # noqa: E402
from scipix_search.eval import print_table  # noqa: E402
from scipix_search.ocr import (  # noqa: E402
    TextRecognizer,
    calibration_inputs,
    calibration_pages,
    quantise_text_recognizer,
    rapidocr_recognizer_model,
)
from scipix_search.onnx import make_session  # noqa: E402


class _Timed:
    """An ONNX Runtime session that sums its CPU seconds."""

    def __init__(self, session: Any) -> None:
        self.session, self.cpu = session, 0.0

    def run(self, outputs: Any, feed: dict[str, np.ndarray], *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        result = self.session.run(outputs, feed, *args, **kwargs)
        self.cpu += time.process_time() - start
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


def _timed(reader: TextRecognizer) -> _Timed:
    recognizer = reader._engine.text_rec
    recognizer.session.session = _Timed(recognizer.session.session)
    return recognizer.session.session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--pages", type=int, default=1, help="pages with displays per paper")
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--min-channels", type=int, default=192)
    parser.add_argument("--no-after-gelu", dest="after_gelu", action="store_false")
    parser.add_argument(
        "--smooth", type=float, default=0.5, help="SmoothQuant alpha after GELU (0: none)"
    )
    parser.add_argument("--save", type=Path, help="keep the int8 recognizer here")
    parser.add_argument(
        "--built",
        action="store_true",
        help="score the int8 recognizer `scipix-search models build` wrote (model cache)",
    )
    args = parser.parse_args()

    scans = levelled_scans(args.half, args.pages, args.dpi)
    base = TextRecognizer(precision="fp32")
    if args.built:
        int8 = TextRecognizer(precision="int8")  # the model cache's, as ingestion reads
        count = "built"
    else:
        with tempfile.TemporaryDirectory() as folder:
            out = args.save or Path(folder) / "rec.int8.onnx"
            count = str(
                quantise_text_recognizer(
                    rapidocr_recognizer_model()[1],
                    calibration_inputs(base, calibration_pages()),
                    out,
                    min_channels=args.min_channels,
                    after_gelu=args.after_gelu,
                    alpha=args.smooth,
                )
            )
            int8 = TextRecognizer(precision="fp32")
            int8._engine.text_rec.session.session = make_session(out, "cpu", threads=1)
    readers = [("float", base, _timed(base)), (f"int8 ({count} convs)", int8, _timed(int8))]
    edits = {name: 0 for name, _, _ in readers}
    reads: dict[str, list[str]] = {name: [] for name, _, _ in readers}
    chars = 0
    for _label, pixels, truth, text in scans:
        chars += len(text)
        for name, reader, _ in readers:  # one after the other per page: the same load
            lines = reader.read_array(pixels)
            edits[name] += page_edits_of(lines, truth, text, args.dpi)
            reads[name].extend(line.text for line in lines)
    pages = max(len(scans), 1)
    floats = set(reads["float"])
    rows = [
        (
            name,
            f"{edits[name] / max(chars, 1):.4f}",
            f"{len(set(reads[name]) - floats)} / {len(reads[name])}",
            f"{timed.cpu / pages:.2f}",
        )
        for name, _, timed in readers
    ]
    print_table(
        ["recognizer", "CER", "lines not read as float", "rec CPU s/page"],
        rows,
        title=(
            f"Text recognizer float vs int8, {len(scans)} scans ({args.half} half), {args.dpi} dpi, "
            f">= {args.min_channels} channels{'' if args.after_gelu else ', not after GELU'}, "
            f"smooth {args.smooth}; "
            f"code {code_version()}; load {os.getloadavg()[0]:.1f}"
        ),
    )


if __name__ == "__main__":
    main()
