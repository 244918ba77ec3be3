"""``scipix-search demo``: the quick start's tour of the product on the bundled sample papers.

It ingests ``samples/*.pdf`` (three short papers typeset with pdflatex, display and inline math),
then runs the three kinds of search a researcher uses: words, a typed formula whose variables
are renamed, and a screenshot of an equation cut from a rendered page. Each search goes through
the real ``search`` command, so the demo shows exactly what a user would get.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scipix_search.cli._common import emit, settings_of

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"

TEXT_QUERY = "how fast does gradient descent converge"
# The heat equation of heat-equation-note.pdf as another textbook writes it (temperature T,
# diffusivity alpha instead of u and k): equation search compares structure, so it still matches.
LATEX_QUERY = r"\frac{\partial T}{\partial t} = \alpha \frac{\partial^2 T}{\partial x^2}"
# A screenshot as a reader takes one: equation (3) of gradient-descent-note.pdf (page 1) with a
# loose margin, at a screen's 144 dpi. The box is in PDF points of the committed sample.
SCREENSHOT_SOURCE = ("gradient-descent-note.pdf", 0, (222.0, 500.0, 388.0, 540.0), 144)


def _screenshot(samples: Path, out: Path) -> Path | None:
    """Render the screenshot query from the sample page, or None when that sample is absent."""
    import pymupdf

    name, page_no, clip, dpi = SCREENSHOT_SOURCE
    if not (samples / name).is_file():
        return None
    with pymupdf.open(samples / name) as doc:
        doc[page_no].get_pixmap(dpi=dpi, clip=pymupdf.Rect(*clip)).save(out)
    return out


def _search(argv: list[str], args: argparse.Namespace) -> int:
    """Run ``scipix-search search ARGV`` in this process, with this command's settings."""
    from scipix_search.cli import build_parser

    search_args = build_parser().parse_args(["search", *argv])
    search_args.settings = settings_of(args)
    return int(search_args.func(search_args))


def run(args: argparse.Namespace) -> int:
    from scipix_search.cli import ingest

    settings = settings_of(args)
    samples = Path(args.samples)
    papers = sorted(str(p) for p in samples.glob("*.pdf"))
    emit(f"== 1/4 ingesting {len(papers)} sample papers from {samples} into {settings.data_dir}")
    code = ingest.run(
        argparse.Namespace(
            paths=papers or [str(samples)], json=False, no_pair=False, jobs=1, settings=settings
        )
    )
    if code:
        return code
    emit(f"\n== 2/4 text search: {TEXT_QUERY!r}")
    _search([TEXT_QUERY, "-k", "3"], args)
    emit(f"\n== 3/4 equation search, variables renamed: {LATEX_QUERY}")
    _search(["--latex", LATEX_QUERY, "-k", "3"], args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shot = _screenshot(samples, settings.data_dir / "demo-screenshot.png")
    if shot is not None:
        emit(f"\n== 4/4 screenshot search: {shot} (cut from page 1 of {SCREENSHOT_SOURCE[0]})")
        _search(["--image", str(shot), "-k", "3"], args)
    emit(
        "\nNext: `scipix-search serve`, then open http://127.0.0.1:8000 "
        "(search box: words, $LaTeX$, or paste a screenshot)."
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="ingest the bundled sample papers and run a text, an equation and a screenshot search",
    )
    parser.add_argument("--samples", default=str(SAMPLES_DIR), help="folder of papers to ingest")
    parser.set_defaults(func=run)
