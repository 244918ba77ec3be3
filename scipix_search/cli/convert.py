"""``scipix-search convert FILE --to md``: a paper (PDF or page image) as Markdown.

Inline math as ``$...$``, display math as ``$$...$$`` with its printed number as ``\\tag{n}``,
prose in reading order column by column, each page opened by ``<!-- page N -->``. Text-layer
pages are read as ingestion reads them; pages without one by OCR (see
:func:`scipix_search.pipeline.convert_to_markdown`).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scipix_search.cli._common import add_setting_flag, settings_of
from scipix_search.exceptions import InputError, InputTooLargeError

if TYPE_CHECKING:
    from scipix_search.pipeline import PageTracker

logger = logging.getLogger(__name__)

#: Most pages a ``--pages`` range may name (a typo like ``1-99999999`` is refused, not built).
MAX_PAGE = 100_000
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")

EXAMPLES = """examples:
  scipix-search convert paper.pdf --to md > paper.md
  scipix-search convert paper.pdf --pages 1-3,5 -o intro.md
  scipix-search convert scan.png --to md
"""


def page_ranges(text: str) -> list[int]:
    """An argparse type: ``1-3,5`` -> ``[1, 2, 3, 5]`` (1-based, each range low to high).

    Example:
        >>> page_ranges("1-3,5")
        [1, 2, 3, 5]
    """
    pages: set[int] = set()
    for part in text.split(","):
        match = _RANGE.match(part)
        if match is None:
            raise argparse.ArgumentTypeError(f"{text!r}: give pages as 1-3,5")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if not 1 <= low <= high <= MAX_PAGE:
            raise argparse.ArgumentTypeError(
                f"{part.strip()!r}: pages count from 1, a range from low to high"
            )
        pages.update(range(low, high + 1))
    return sorted(pages)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``convert`` sub-command."""
    parser = subparsers.add_parser(
        "convert",
        help="convert a PDF or page image to Markdown with $...$ and $$...$$ math",
        description="Markdown of a paper: prose in reading order (column by column), inline "
        "math as $...$, display math as $$...$$ with its number as \\tag{n}, pages opened "
        "by <!-- page N -->. Text-layer pages are read as ingestion reads them, pages without "
        "one by OCR. No database is used.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="a PDF or an image")
    parser.add_argument("--to", choices=("md",), default="md", help="output format (md)")
    parser.add_argument(
        "--pages", type=page_ranges, default=None, metavar="LIST", help="pages, e.g. 1-3,5"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="write here (default: stdout)",
    )
    add_setting_flag(
        parser,
        "--equation-ocr",
        "pdf_equation_ocr",
        "read display equations the text layer does not rebuild with the formula OCR",
        choices=("auto", "on", "off"),
    )
    parser.set_defaults(func=run)


def _progress(name: str) -> PageTracker:
    """A page tracker that shows a tqdm bar on stderr when there is more than one page."""
    from tqdm import tqdm

    def track(pages: Sequence[int]) -> Iterable[int]:
        return tqdm(pages, desc=name, unit="page", file=sys.stderr, disable=len(pages) < 2)

    return track


def run(args: argparse.Namespace) -> int:
    """Convert one file; the Markdown goes to stdout or ``--output``.

    Raises:
        InputError: the file is missing, a folder, not a PDF or image, or lacks a page asked.
    """
    from scipix_search.pipeline import Models, convert_to_markdown

    path: Path = args.file
    if not path.is_file():
        what = "not a file" if path.exists() else "no such file"
        raise InputError(f"{path}: {what}", path=str(path))
    if args.output is not None and args.output.is_dir():
        raise InputError(f"{args.output}: is a folder; give a file to write", path=str(args.output))
    settings = settings_of(args)
    if path.stat().st_size > settings.max_file_bytes:
        raise InputTooLargeError(
            f"{path}: {path.stat().st_size} bytes exceeds the limit of {settings.max_file_bytes}",
            path=str(path),
        )
    markdown = convert_to_markdown(
        path.read_bytes(),
        path.name,
        settings=settings,
        models=Models(settings),
        pages=args.pages,
        track=_progress(path.name),
    )
    if args.output is None:
        sys.stdout.write(markdown)
        sys.stdout.flush()
    else:
        args.output.write_text(markdown, encoding="utf-8")
    return 0
