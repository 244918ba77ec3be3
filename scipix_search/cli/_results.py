"""What ``search`` prints: hits and papers as lines or as one JSON object.

One set of functions for a search run in this process and one answered by a running ``serve``
(``cli/_remote.py``), so the two print the same thing; the JSON of a hit is the API's
``HitPublic``: the hit with its paper's ``authors`` and ``year``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from scipix_search.cli._common import emit, emit_json

if TYPE_CHECKING:
    from scipix_search.search import Hit, MixedDocumentHit, PaperInfo

# One line of context or passage in the text output: about two terminal lines at most.
_LINE_CHARS = 160


def _cut(text: str, limit: int = _LINE_CHARS) -> str:
    """One line of at most ``limit`` characters (whitespace folded)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _place(hit: Hit) -> str:
    where = f"p.{hit.page}" if hit.page else "-"
    return where + (f" ({hit.number})" if hit.kind == "equation" and hit.number else "")


def _title(hit: Hit, papers: dict[int, PaperInfo] | None) -> str:
    """The hit's paper title with its byline (``Lovelace, Gauss et al. (2021)``) where known."""
    info = (papers or {}).get(hit.document_id)
    byline = info.byline() if info else ""
    return f"{hit.title or ''} · {byline}" if byline else (hit.title or "")


def show_image_read(name: str, latex: str | None, parses: bool, *, quiet: bool) -> str:
    """The LaTeX read from the screenshot ``name``, printed so the user sees what was searched
    (unless ``quiet``); LaTeX that does not parse is shown to correct, not searched.

    Raises:
        InputError: nothing was read, or what was read is not valid LaTeX.
    """
    from scipix_search.exceptions import InputError

    if not latex:
        raise InputError(f"{name}: no formula could be read from the image")
    if not parses:
        raise InputError(
            f"{name}: read as {latex!r}, which is not valid LaTeX; "
            "correct it and search with --latex (or crop the image closer to the formula)"
        )
    if not quiet:
        emit(f"read from the image: {latex}")
    return latex


def print_hits(hits: list[Hit], papers: dict[int, PaperInfo] | None = None) -> None:
    """Hits with their probability of relevance; those under the close-match threshold come
    after a "no close match — nearest:" line (the raw score is in ``--json``)."""
    if not hits:
        emit("no results")
    ranked = list(enumerate(hits, 1))
    close = [(r, h) for r, h in ranked if h.close_match]
    said = False
    # close matches first (passages rank by fused rank, so one may follow a nearer-miss)
    for rank, hit in close + [(r, h) for r, h in ranked if not h.close_match]:
        if not hit.close_match and not said:
            emit("no close match — nearest:" if not close else "not close matches:")
            said = True
        emit(f"{rank:>2}. [{hit.score:.2f}] {hit.source} {_place(hit)} — {_title(hit, papers)}")
        emit(f"    {hit.text if hit.kind == 'passage' else hit.latex}")
        if hit.context:
            emit(f"    « {_cut(hit.context)}")


def with_paper(row: dict[str, Any], info: PaperInfo | None) -> dict[str, Any]:
    """A hit's or document's JSON with its paper's ``authors`` and ``year``, as the API's."""
    return {**row, "authors": info.authors if info else [], "year": info.year if info else None}


def hit_rows(hits: list[Hit], papers: dict[int, PaperInfo]) -> list[dict[str, Any]]:
    return [with_paper(h.to_dict(), papers.get(h.document_id)) for h in hits]


def document_rows(docs: list[Any], papers: dict[int, PaperInfo]) -> list[dict[str, Any]]:
    return [with_paper(d.to_dict(), papers.get(d.document_id)) for d in docs]


def print_document(
    rank: int,
    score: float,
    source: str,
    title: str | None,
    best: Hit | None,
    passage: Hit | None,
    byline: str = "",
) -> None:
    """A paper with its best equation (place, LaTeX, introducing sentence) and best passage."""
    emit(f"{rank:>2}. [{score:.4f}] {source} — {title or ''}{f' · {byline}' if byline else ''}")
    if best is not None:
        emit(f"      {_place(best)} $ {_cut(best.latex or '')}")
        if best.context:
            emit(f"      « {_cut(best.context)}")
    if passage is not None and passage.text:
        emit(f"      {_place(passage)} {_cut(passage.text)}")


def output_hits(
    args: argparse.Namespace, query: str, hits: list[Hit], papers: dict[int, PaperInfo]
) -> None:
    """The hits as one JSON object (``--json``) or as lines: the same for both paths."""
    if args.json:
        emit_json({"query": query, "hits": hit_rows(hits, papers)})
    else:
        print_hits(hits, papers)


def output_documents(
    args: argparse.Namespace, docs: list[MixedDocumentHit], papers: dict[int, PaperInfo]
) -> None:
    """Papers found by words and formulas, as JSON or as lines."""
    if args.json:
        emit_json({"query": args.query, "hits": document_rows(docs, papers)})
        return
    for rank, doc in enumerate(docs, 1):
        best = doc.equations[0] if doc.equations else None
        byline = papers[doc.document_id].byline() if doc.document_id in papers else ""
        print_document(rank, doc.score, doc.source, doc.title, best, doc.passage, byline)
