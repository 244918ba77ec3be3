"""``scipix-search search``: passages by text (and equations, once indexed)."""

from __future__ import annotations

import argparse

from scipix_search.cli._common import emit, emit_json
from scipix_search.config import get_settings
from scipix_search.search import Hit


def _print_hits(hits: list[Hit]) -> None:
    if not hits:
        emit("no results")
    for rank, hit in enumerate(hits, 1):
        where = f"p.{hit.page}" if hit.page else "-"
        emit(f"{rank:>2}. [{hit.score:.4f}] {hit.source} {where} — {hit.title or ''}")
        body = hit.text if hit.kind == "passage" else hit.latex
        emit(f"    {body}")


def run(args: argparse.Namespace) -> int:
    from scipix_search.embed import TextEncoder
    from scipix_search.search import PassageSearcher
    from scipix_search.store import Store

    settings = get_settings()
    store = Store(settings)
    encoder = TextEncoder.from_model_dir(
        settings.model_dir, device=settings.device, batch_size=settings.embed_batch_size
    )
    searcher = PassageSearcher(store, encoder)
    hits = searcher.search(args.query, k=args.k, mode=args.mode)
    if args.json:
        emit_json({"query": args.query, "hits": [h.to_dict() for h in hits]})
    else:
        _print_hits(hits)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("search", help="search passages by meaning and keywords")
    parser.add_argument("query", help="query text")
    parser.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    parser.add_argument(
        "--mode", choices=["hybrid", "dense", "keyword"], default="hybrid", help="retrieval mode"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)
