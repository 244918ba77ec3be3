"""``scipix-search search``: passages by text, equations by LaTeX (or by a screenshot)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scipix_search.cli._common import emit_json, int_between, settings_of
from scipix_search.cli._results import (
    document_rows,
    hit_rows,
    output_documents,
    output_hits,
    print_document,
    show_image_read,
)
from scipix_search.exceptions import EmptyQueryError, InputError, NotFoundError, ScipixError

if TYPE_CHECKING:
    from PIL import Image

    from scipix_search.config import Settings
    from scipix_search.pipeline import Models
    from scipix_search.search import EquationSearcher, PaperFilter, PaperInfo
    from scipix_search.store import Store

logger = logging.getLogger(__name__)

# The query kinds, as named in errors; exactly one is given.
_QUERY_KINDS = (
    ("query", "a text query"),
    ("latex", "--latex"),
    ("latex_file", "--latex-file"),
    ("image", "--image"),
)


def _check_query(args: argparse.Namespace) -> None:
    """Refuse a command line that asks for no search, or for two at once, before any model loads.

    Raises:
        InputError: no query, several queries, or flags that do not apply to the query's kind.
        EmptyQueryError: the text query or the LaTeX is empty.
    """
    given = [name for attr, name in _QUERY_KINDS if getattr(args, attr) is not None]
    if not given:
        raise InputError("give a text query, --latex, --latex-file or --image")
    if len(given) > 1:
        raise InputError(f"give one query, not {' and '.join(given)}")
    if args.query is not None:
        if not args.query.strip():
            raise EmptyQueryError("empty query: type some words to search for")
        if args.documents or args.only:
            raise InputError("--documents and --only apply to equation search, not a text query")
    elif args.mode is not None:
        raise InputError("--mode applies to a text query, not to equation search")
    if args.latex is not None and not args.latex.strip():
        raise EmptyQueryError("empty query: type a LaTeX formula to search for")
    if args.latex_file is not None and (args.documents or args.only):
        raise InputError("--documents and --only do not apply to --latex-file")


def _require_rows(store: Store, kind: str) -> None:
    """Raise when nothing of ``kind`` is stored (an empty library answers nothing).

    Raises:
        NotFoundError: no row of that kind is stored.
    """
    from scipix_search.store import repo

    with store.session() as session:
        counts = repo.count_rows(session=session)
    if not counts[kind]:
        what = "nothing is stored" if not counts["documents"] else f"no {kind} are stored"
        raise NotFoundError(f"{what} yet: ingest papers first (scipix-search ingest PATH)")


def _equation_searcher(models: Models) -> EquationSearcher:
    from scipix_search.search import EquationSearcher
    from scipix_search.store import Store

    searcher = EquationSearcher(Store(models.settings), models.formula_encoder)
    # the formulas that contain the query join the FAISS candidates (sub-formula queries);
    # kept on disk, so a search parses only the equations stored since the last one
    searcher.build_tuples()
    return searcher


def _load_image(path: Path, settings: Settings) -> Image.Image:
    """The screenshot, decoded and checked (size, type) before the OCR model loads."""
    from scipix_search.ocr import load_image

    if path.is_dir():
        raise InputError(f"{path}: is a folder, not an image")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    return load_image(path, max_pixels=settings.max_image_pixels, max_bytes=settings.max_file_bytes)


def _latex_from_image(path: Path, image: Image.Image, models: Models, *, quiet: bool) -> str:
    """The formula of the screenshot (its equation region where it holds prose too), printed
    so the user sees what was searched; LaTeX that does not parse is shown to correct, not
    quoted in a parse error the user did not cause."""
    from scipix_search.search import read_query_image

    try:
        detector = models.formula_detector
    except ScipixError as exc:  # without the layout model the whole image is read
        logger.warning("no layout detector: %s", exc)
        detector = None
    read = read_query_image(image, models.latex_recognizer, detector)
    return show_image_read(path.name, read.latex, read.parses, quiet=quiet)


def _read_queries(path: Path) -> list[str]:
    """The LaTeX queries of a query file (read before any model loads).

    Raises:
        InputError: the file is missing, a folder, or not UTF-8 text.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a folder, not a query file") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text") from exc
    # Query files may carry an id column (topic_id<TAB>latex): the LaTeX is the last column.
    return [q for q in (line.split("\t")[-1].strip() for line in text.splitlines()) if q]


def _run_latex(args: argparse.Namespace, models: Models, latex: str) -> None:
    searcher = _equation_searcher(models)
    searcher.parse_query(latex)  # malformed LaTeX is the user's error, before an empty store
    _require_rows(searcher.store, "equations")
    if args.documents:
        docs = searcher.search_documents(latex, k=args.k)
        papers = paper_info(searcher.store, [d.document_id for d in docs])
        if args.json:
            emit_json({"query": latex, "hits": document_rows(docs, papers)})
        else:
            for rank, doc in enumerate(docs, 1):
                best = doc.equations[0] if doc.equations else None
                byline = papers[doc.document_id].byline() if doc.document_id in papers else ""
                print_document(rank, doc.score, doc.source, doc.title, best, None, byline)
        return
    display = {"display": True, "inline": False}.get(args.only or "")
    hits = searcher.search(latex, k=args.k, display=display)
    output_hits(args, latex, hits, paper_info(searcher.store, [h.document_id for h in hits]))


def _run_latex_file(args: argparse.Namespace, models: Models, queries: list[str]) -> int:
    """One query per line of the file, one JSON object per line, in one process."""
    searcher = _equation_searcher(models)
    _require_rows(searcher.store, "equations")
    failures = 0
    for latex in queries:
        try:
            hits = searcher.search(latex, k=args.k)
            papers = paper_info(searcher.store, [h.document_id for h in hits])
            emit_json({"query": latex, "hits": hit_rows(hits, papers)})
        except ScipixError as exc:
            failures += 1
            emit_json({"query": latex, "error": str(exc)})
    return 1 if failures else 0


def _run_mixed(args: argparse.Namespace, models: Models, words: str, papers: PaperFilter) -> int:
    """Words and ``$...$`` formulas in one query (``words``: the query less its ``author:``
    and ``year:`` filters, which ``papers`` holds): documents fused from both searches."""
    from scipix_search.search import PassageSearcher, search_mixed, split_query
    from scipix_search.store import repo

    equations = _equation_searcher(models)
    for latex in split_query(words).formulas:
        equations.parse_query(latex)  # malformed LaTeX is the user's error, before the models
    with equations.store.session() as session:
        counts = repo.count_rows(session=session)
    if not counts["documents"]:
        raise NotFoundError(
            "nothing is stored yet: ingest papers first (scipix-search ingest PATH)"
        )
    passages = PassageSearcher(equations.store, models.text_encoder) if counts["passages"] else None
    docs = search_mixed(
        words,
        passages=_filtered(passages, equations.store, papers),
        equations=_filtered(equations if counts["equations"] else None, equations.store, papers),
        k=args.k,
    )
    output_documents(args, docs, paper_info(equations.store, [d.document_id for d in docs]))
    return 0


def run(args: argparse.Namespace) -> int:
    _check_query(args)
    settings = settings_of(args)
    # Inputs are read and checked before the pipeline (and its models) is imported.
    queries = _read_queries(Path(args.latex_file)) if args.latex_file else None
    image = _load_image(Path(args.image), settings) if args.image else None
    from scipix_search.search import PaperFilter, parse_filters, split_query

    words, papers, formulas = "", PaperFilter(), False
    if args.query is not None:
        words, papers = parse_filters(args.query)
        if not words:
            raise EmptyQueryError("author: and year: narrow a search: add words or $math$ to it")
        formulas = bool(split_query(words).formulas)
    if not args.no_server:
        from scipix_search.cli._remote import search_on_server

        if search_on_server(args, settings, formulas):
            return 0
    from scipix_search.pipeline import Models

    models = Models(settings)
    if queries is not None:
        return _run_latex_file(args, models, queries)
    if image is not None:
        from scipix_search.store import Store

        _require_rows(Store(settings), "equations")  # before the OCR model loads
        latex = _latex_from_image(Path(args.image), image, models, quiet=args.json)
        _run_latex(args, models, latex)
        return 0
    if args.latex is not None:
        _run_latex(args, models, args.latex)
        return 0
    if formulas:  # words and $math$: documents by both
        return _run_mixed(args, models, words, papers)
    from scipix_search.search import PassageSearcher
    from scipix_search.store import Store

    store = Store(models.settings)
    _require_rows(store, "passages")  # before the text encoder loads
    searcher = _filtered(PassageSearcher(store, models.text_encoder), store, papers)
    hits = searcher.search(words, k=args.k, mode=args.mode or "hybrid")
    output_hits(args, args.query, hits, paper_info(store, [h.document_id for h in hits]))
    return 0


def _filtered(searcher: Any, store: Store, papers: PaperFilter) -> Any:
    """The searcher, answering only papers that pass ``author:``/``year:`` when given."""
    from scipix_search.search import FilteredSearcher

    if searcher is None or not papers.active:
        return searcher
    return FilteredSearcher(searcher, store, papers)


def paper_info(store: Store, document_ids: list[int]) -> dict[int, PaperInfo]:
    from scipix_search.search import paper_info as lookup

    return lookup(store, document_ids)


#: Most results one search prints (the API serves at most 100 a page).
MAX_K = 1000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search", help="search passages by text, or equations by LaTeX or a screenshot"
    )
    parser.add_argument(
        "query",
        nargs="?",
        help="query text (passage search); with $LaTeX$ in it, papers by words and formulas",
    )
    parser.add_argument("--latex", help="search equations by this LaTeX formula")
    parser.add_argument("--latex-file", help="one LaTeX query per line; prints JSON lines")
    parser.add_argument("--image", help="search equations by a formula screenshot (OCR)")
    parser.add_argument(
        "--documents", action="store_true", help="rank documents by their best equations"
    )
    parser.add_argument(
        "-k",
        "--top-k",
        dest="k",
        type=int_between(1, MAX_K, "results"),
        default=10,
        help=f"number of results, 1 to {MAX_K} (default 10)",
    )
    parser.add_argument(
        "--only",
        choices=("display", "inline"),
        default=None,
        help="equation search: only display equations or only inline math (default both)",
    )
    parser.add_argument(
        "--mode",
        choices=["hybrid", "dense", "keyword"],
        default=None,
        help="text retrieval mode (default hybrid)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--no-server",
        action="store_true",
        help="search in this process even when a `scipix-search serve` of the same data "
        "folder is running (by default the query is sent to it: its models are loaded)",
    )
    parser.set_defaults(func=run)
