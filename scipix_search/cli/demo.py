"""``scipix-search demo``: ingest the bundled sample papers and run a search (the quick start)."""

from __future__ import annotations

import argparse
from pathlib import Path

from scipix_search.cli._common import emit, settings_of

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"


def run(args: argparse.Namespace) -> int:
    from scipix_search.cli import ingest, search

    settings = settings_of(args)
    samples = Path(args.samples)
    emit(f"== ingesting the sample papers in {samples}")
    code = ingest.run(
        argparse.Namespace(paths=[str(samples)], json=False, no_pair=False, settings=settings)
    )
    if code:
        return code
    for query in args.queries:
        emit(f"\n== search: {query!r}")
        search.run(
            argparse.Namespace(
                query=query,
                latex=None,
                latex_file=None,
                image=None,
                documents=False,
                only=None,
                k=3,
                mode="hybrid",
                json=False,
                settings=settings,
            )
        )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="ingest the bundled sample papers and search them")
    parser.add_argument("--samples", default=str(SAMPLES_DIR), help="folder of papers to ingest")
    parser.add_argument(
        "queries",
        nargs="*",
        default=["how fast does gradient descent converge", "diffusion of temperature in a rod"],
        help="queries to run after ingesting",
    )
    parser.set_defaults(func=run)
