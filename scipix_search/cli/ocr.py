"""``scipix-search ocr FILE...``: formula images to LaTeX/MathML, pages and PDFs to text lines.

Page images also list their display equations in ``--format json`` (box, detector confidence,
LaTeX, and the rows of a multi-row display), read as ingestion reads a page image; the
plain-text output stays the page's lines.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scipix_search.cli._common import add_setting_flag, int_between, settings_of
from scipix_search.cli._errors import print_error
from scipix_search.config import Settings
from scipix_search.exceptions import InputError, MissingDependencyError, ScipixError

#: Widest beam ``--beam`` takes: each beam is a decoder pass per token, so 8 is already slow.
MAX_BEAM = 8

if TYPE_CHECKING:
    from scipix_search.pipeline import Models

logger = logging.getLogger(__name__)

#: Images at least this tall and wide are read as pages of text in ``--mode auto``.
PAGE_MIN_SIDE = 400


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``ocr`` sub-command."""
    parser = subparsers.add_parser(
        "ocr",
        help="read LaTeX from formula images, or text lines from page images and PDFs",
        description="Formula images give LaTeX; page images and PDFs give text lines. "
        "All files share one loaded model.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=("latex", "mathml", "json"), default="latex")
    parser.add_argument(
        "--mode",
        choices=("auto", "formula", "text"),
        default="auto",
        help="auto: PDFs and large images are pages of text, other images formulas",
    )
    parser.add_argument(
        "--beam",
        type=int_between(1, MAX_BEAM, "beams"),
        default=1,
        help=f"beam size, 1 to {MAX_BEAM} (1: greedy)",
    )
    parser.add_argument("--no-multiscale", action="store_true", help="one scale per image")
    add_setting_flag(
        parser,
        "--scale-votes",
        "ocr_scale_votes",
        "3: read each formula at three scales and keep the majority (slower, more exact)",
        type=int,
        choices=(1, 3),
    )
    parser.set_defaults(func=run)


def _kind(path: Path, mode: str, settings: Settings) -> str:
    from scipix_search.ingest import magic
    from scipix_search.ocr import check_readable, load_image

    with path.open("rb") as handle:
        if magic(handle.read(1024)) == "pdf":
            return "text" if mode == "auto" else mode
    # a bad image is refused here, with its reason, before any model is loaded for it
    image = load_image(
        path, max_pixels=settings.max_image_pixels, max_bytes=settings.max_file_bytes
    )
    check_readable(image, str(path))
    if mode != "auto":
        return mode
    return "text" if min(image.size) >= PAGE_MIN_SIDE else "formula"


def _one(path: Path, models: Models, mode: str) -> dict[str, Any]:
    start = time.perf_counter()
    if not path.is_file():
        raise InputError(f"{path}: no such file", path=str(path))
    if _kind(path, mode, models.settings) == "text":
        record: dict[str, Any] = {"file": str(path)}
        page = _page_read(path, models)
        if page is None:
            record["lines"] = [line.to_dict() for line in models.text_recognizer(path)]
        else:
            record["lines"], record["equations"] = page
        record["time_ms"] = round((time.perf_counter() - start) * 1000, 1)
        return record
    result = models.latex_recognizer(path)
    return {
        "file": str(path),
        "latex": result.latex,
        "mathml": result.mathml,
        "confidence": result.confidence,
        "parses": result.parses,
        "time_ms": round((time.perf_counter() - start) * 1000, 1),
    }


def _page_read(
    path: Path, models: Models
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """A page image's lines and display equations, read as ingestion reads a page image
    (``ingest.parse_image``): levelled, its lines read, its displays detected and set right by
    them, a multi-row display read row by row, the crops scaled by the page's prose. Each
    display is listed, then its rows (``row_of``: the display's index in the list), then the
    lines of math outside the displays (``display`` false: stored as inline math); boxes are
    in the levelled page's pixels, as ingestion stores them.

    ``None`` for PDFs (their pages are read as text only here) and where the detector's model
    is not installed (said once, in a warning): the caller lists the text lines alone.
    """
    import numpy as np

    from scipix_search.ingest import PageEquations, magic
    from scipix_search.ocr import deskew, load_image

    with path.open("rb") as handle:
        if magic(handle.read(1024)) == "pdf":
            return None
    try:
        detector = models.formula_detector
    except MissingDependencyError as exc:
        logger.warning("equations not detected: %s", exc.message)
        return None
    settings = models.settings
    image = load_image(
        path, max_pixels=settings.max_image_pixels, max_bytes=settings.max_file_bytes
    )
    pixels = deskew(np.asarray(image.convert("RGB")))[0]  # levelled, as ingestion's _upright
    lines = models.text_recognizer.read_array(pixels, page=0)
    found = PageEquations(detector, models.latex_recognizer)
    found.add_page(pixels, page=1, lines=lines)
    equations = [
        {
            "bbox": list(f.equation.bbox or ()),
            "confidence": f.region_confidence,
            "latex": f.equation.latex,
            "latex_confidence": f.equation.confidence,
            "parses": f.parses,
            "page": 0,
            "row_of": f.row_of,
            "display": f.equation.display,  # False: a line of math outside the displays
        }
        for f in found.read_found()
    ]
    return [line.to_dict() for line in lines], equations


def run(args: argparse.Namespace) -> int:
    """Read every file; a bad file is reported and the others still run.

    Returns:
        0 when every file was read, 1 otherwise.
    """
    from scipix_search.pipeline import Models

    # Each model is loaded once, on first use, for all the files.
    models = Models(
        settings_of(args),
        latex_options={"beam_size": args.beam, "multiscale": not args.no_multiscale},
    )
    failures = 0
    for path in args.files:
        try:
            record = _one(path, models, args.mode)
        except InputError as exc:
            failures += 1
            record = {"file": str(path), "error": exc.message}
        except ScipixError as exc:
            if args.format != "json":
                raise
            failures += 1
            record = {"file": str(path), "error": exc.message}
        _emit(record, args.format)
    return 1 if failures else 0


def _emit(record: dict[str, Any], fmt: str) -> None:
    out = sys.stdout
    if fmt == "json":
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif "error" in record:
        # Input errors name their file already; others get it in front.
        named = record["file"] in record["error"]
        print_error(record["error"] if named else f"{record['file']}: {record['error']}")
    elif "lines" in record:
        out.write("".join(line["text"] + "\n" for line in record["lines"]))
    else:
        out.write((record["mathml"] if fmt == "mathml" else record["latex"]) + "\n")
    out.flush()
