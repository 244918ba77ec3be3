"""``scipix-search search``: passages by text, equations by LaTeX (or by a screenshot)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from scipix_search.cli._common import emit, emit_json, settings_of
from scipix_search.exceptions import InputError, ScipixError
from scipix_search.search import Hit

if TYPE_CHECKING:
    from scipix_search.pipeline import Models
    from scipix_search.search import EquationSearcher


def _print_hits(hits: list[Hit]) -> None:
    if not hits:
        emit("no results")
    for rank, hit in enumerate(hits, 1):
        where = f"p.{hit.page}" if hit.page else "-"
        number = f" ({hit.number})" if hit.kind == "equation" and hit.number else ""
        emit(f"{rank:>2}. [{hit.score:.4f}] {hit.source} {where}{number} — {hit.title or ''}")
        emit(f"    {hit.text if hit.kind == 'passage' else hit.latex}")


def _equation_searcher(models: Models) -> EquationSearcher:
    from scipix_search.search import EquationSearcher
    from scipix_search.store import Store

    return EquationSearcher(Store(models.settings), models.formula_encoder)


def _latex_from_image(path: Path, models: Models) -> str:
    result = models.latex_recognizer(path)
    if not result.latex:
        raise InputError(f"{path.name}: no formula could be read from the image")
    return result.latex


def _run_latex(args: argparse.Namespace, models: Models, latex: str) -> None:
    searcher = _equation_searcher(models)
    if args.documents:
        docs = searcher.search_documents(latex, k=args.k)
        if args.json:
            emit_json({"query": latex, "hits": [d.to_dict() for d in docs]})
        else:
            for rank, doc in enumerate(docs, 1):
                emit(f"{rank:>2}. [{doc.score:.4f}] {doc.source} — {doc.title or ''}")
        return
    display = {"display": True, "inline": False}.get(args.only or "")
    hits = searcher.search(latex, k=args.k, display=display)
    if args.json:
        emit_json({"query": latex, "hits": [h.to_dict() for h in hits]})
    else:
        _print_hits(hits)


def _run_latex_file(args: argparse.Namespace, models: Models) -> int:
    """One query per line of the file, one JSON object per line, in one process."""
    searcher = _equation_searcher(models)
    failures = 0
    for line in Path(args.latex_file).read_text(encoding="utf-8").splitlines():
        # Query files may carry an id column (topic_id<TAB>latex): the LaTeX is the last column.
        latex = line.split("\t")[-1].strip()
        if not latex:
            continue
        try:
            hits = searcher.search(latex, k=args.k)
            emit_json({"query": latex, "hits": [h.to_dict() for h in hits]})
        except ScipixError as exc:
            failures += 1
            emit_json({"query": latex, "error": str(exc)})
    return 1 if failures else 0


def run(args: argparse.Namespace) -> int:
    from scipix_search.pipeline import Models

    models = Models(settings_of(args))
    if args.latex_file:
        return _run_latex_file(args, models)
    if args.image:
        latex = _latex_from_image(Path(args.image), models)
        _run_latex(args, models, latex)
        return 0
    if args.latex is not None:
        _run_latex(args, models, args.latex)
        return 0
    if args.query is None:
        raise InputError("give a text query, --latex, --latex-file or --image")
    from scipix_search.search import PassageSearcher
    from scipix_search.store import Store

    searcher = PassageSearcher(Store(models.settings), models.text_encoder)
    hits = searcher.search(args.query, k=args.k, mode=args.mode)
    if args.json:
        emit_json({"query": args.query, "hits": [h.to_dict() for h in hits]})
    else:
        _print_hits(hits)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search", help="search passages by text, or equations by LaTeX or a screenshot"
    )
    parser.add_argument("query", nargs="?", help="query text (passage search)")
    parser.add_argument("--latex", help="search equations by this LaTeX formula")
    parser.add_argument("--latex-file", help="one LaTeX query per line; prints JSON lines")
    parser.add_argument("--image", help="search equations by a formula screenshot (OCR)")
    parser.add_argument(
        "--documents", action="store_true", help="rank documents by their best equations"
    )
    parser.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    parser.add_argument(
        "--only",
        choices=("display", "inline"),
        default=None,
        help="equation search: only display equations or only inline math (default both)",
    )
    parser.add_argument(
        "--mode",
        choices=["hybrid", "dense", "keyword"],
        default="hybrid",
        help="text retrieval mode",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)
