"""``search`` answered by a running ``serve`` of the same data folder (see ``cli/_server.py``).

The server has its models loaded: a LaTeX query answered there costs this process its start
and one HTTP request instead of loading the formula index and the tuple keys (and a text or
image query, the text encoder or the OCR models). The answer is printed by the same functions
as a search run here (``cli/_results.py``), from the same hits, so the output is the same.

Queries the API does not serve the same way stay here: ``--documents`` (papers ranked by their
equations has no endpoint), ``--latex-file``, more than the API's 100 results a page, and a
query longer than the API accepts. An empty library stays here too, so its message is the same.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scipix_search.cli._results import output_documents, output_hits, show_image_read
from scipix_search.cli._server import Server, ServerError, find_server, request
from scipix_search.exceptions import InputError

if TYPE_CHECKING:
    from scipix_search.config import Settings
    from scipix_search.search import Hit, PaperInfo

logger = logging.getLogger(__name__)

#: The API's largest page of results (``k``/``limit``).
API_MAX_K = 100
#: The longest ``q`` of ``GET /v1/search/documents`` and of ``GET /v1/search``.
API_MAX_TEXT, API_MAX_MIXED = 2000, 4000
#: Statuses that mean the query itself was refused: the user's error, reported as here.
_REFUSED = {400, 413, 415, 422}


def _hit(row: dict[str, Any]) -> Hit:
    from scipix_search.search import Hit

    names = {f.name for f in dataclasses.fields(Hit)}
    return Hit(**{k: v for k, v in row.items() if k in names})


def _papers(rows: list[dict[str, Any]]) -> dict[int, PaperInfo]:
    from scipix_search.search import PaperInfo

    return {
        r["document_id"]: PaperInfo(
            r.get("title"), r.get("authors") or [], r.get("year"), None, None
        )
        for r in rows
    }


def _stored(settings: Settings, kind: str) -> bool:
    """Whether rows of ``kind`` are stored; True when that cannot be told cheaply."""
    from scipix_search.store import quick_counts

    counts = quick_counts(settings)
    return counts is None or counts[kind] > 0


def _what(args: argparse.Namespace, formulas: bool) -> str | None:
    """The kind of rows the query needs, or None when the server cannot answer it as asked."""
    if args.k > API_MAX_K or args.documents or args.latex_file is not None:
        return None
    if args.query is not None:
        if len(args.query) > (API_MAX_MIXED if formulas else API_MAX_TEXT):
            return None
        return "documents" if formulas else "passages"
    return "equations"


def search_on_server(args: argparse.Namespace, settings: Settings, formulas: bool = False) -> bool:
    """Answer the search with a running ``serve`` of this data folder and print it.

    Args:
        args: The parsed ``search`` command line (checked).
        settings: This command's settings.
        formulas: The text query holds ``$...$`` formulas (papers by words and formulas).

    Returns:
        True when the server answered and the results were printed; False when this process
        must search (no server, or one that could not answer: the reason is logged).

    Raises:
        InputError: the server refused the query as the user's error (its reason).
    """
    kind = _what(args, formulas)
    if kind is None:
        return False
    server = find_server(settings)
    if server is None or not _stored(settings, kind):
        return False
    timeout = settings.request_timeout_s + 5
    try:
        if args.query is not None:
            _text(args, server, formulas, timeout)
        else:
            _equations(args, server, timeout)
    except ServerError as exc:
        if exc.status in _REFUSED:
            where = f"{Path(args.image).name}: " if args.image else ""
            raise InputError(where + str(exc)) from exc
        # a server that wants a key this process has not got (or another one) is a setting,
        # not a failure: said at INFO; anything else is the server's trouble
        level = logging.INFO if exc.status in (401, 403) else logging.WARNING
        logger.log(
            level, "the server at %s answered %d (%s); searching here", server.url, exc.status, exc
        )
        return False
    except OSError as exc:  # gone, or too slow: this process can still answer
        logger.warning("the server at %s did not answer (%s); searching here", server.url, exc)
        return False
    logger.info("answered by the server at %s", server.url)
    return True


def _equations(args: argparse.Namespace, server: Server, timeout: float) -> None:
    display = {"display": True, "inline": False}.get(args.only or "")
    if args.image is None:
        body = {"latex": args.latex, "k": args.k, "display": display}
        answer = request(server, "POST", "/v1/search/equations", body=body, timeout=timeout)
    else:
        path = Path(args.image)
        fields = {"k": str(args.k)} | ({} if display is None else {"display": str(display)})
        answer = request(
            server,
            "POST",
            "/v1/search/equations",
            fields=fields,
            file=("image", path.name, path.read_bytes()),
            timeout=timeout,
        )
        ocr = answer.get("ocr") or {}
        show_image_read(path.name, ocr.get("latex"), bool(ocr.get("parses")), quiet=args.json)
    rows = answer["data"]
    output_hits(args, answer["query"], [_hit(r) for r in rows], _papers(rows))


def _text(args: argparse.Namespace, server: Server, formulas: bool, timeout: float) -> None:
    if not formulas:
        params = {"q": args.query, "k": args.k, "mode": args.mode or "hybrid"}
        answer = request(server, "GET", "/v1/search/documents", params=params, timeout=timeout)
        rows = answer["data"]
        output_hits(args, args.query, [_hit(r) for r in rows], _papers(rows))
        return
    from scipix_search.search import MixedDocumentHit

    answer = request(
        server, "GET", "/v1/search", params={"q": args.query, "k": args.k}, timeout=timeout
    )
    docs = [
        MixedDocumentHit(
            document_id=d["document_id"],
            source=d["source"],
            title=d.get("title"),
            score=d["score"],
            passage=_hit(d["passage"]) if d.get("passage") else None,
            equations=[_hit(h) for h in d.get("equations") or []],
        )
        for d in answer["documents"]
    ]
    output_documents(args, docs, _papers(answer["documents"]))
