"""Search: equations by LaTeX or by an image of a formula; passages and documents by text."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError

from scipix_search.api._inputs import check_image_input, read_upload
from scipix_search.api._papers import (
    AuthorParam,
    YearParam,
    filtered,
    paper_fields,
    query_filter,
)
from scipix_search.api.deps import (
    DocumentFilter,
    ReadKey,
    SearcherDep,
    ServicesDep,
    run_limited,
)
from scipix_search.api.errors import InvalidParameterError, describe_errors
from scipix_search.api.schemas import (
    LIMIT_DESCRIPTION,
    DocumentGroupPublic,
    EquationSearchCreate,
    EquationSearchPublic,
    HitPublic,
    MixedDocumentPublic,
    MixedSearchPublic,
    TextSearchPublic,
    inline_schema,
)
from scipix_search.exceptions import (
    EmptyQueryError,
    InputError,
    ScipixError,
    UnsupportedContentError,
)
from scipix_search.ocr import load_image
from scipix_search.search import read_query_image, search_mixed, split_query

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/search", tags=["search"])


def _equation_search(services: ServicesDep, query: EquationSearchCreate) -> list[HitPublic]:
    searcher = services.equation_searcher()
    # Over-fetch when filtering by document, so k hits of that document remain.
    want = query.offset + query.k
    fetch = want if query.document_id is None else max(want * 10, 200)
    found = searcher.search(query.latex, k=fetch, display=query.display)
    meta = paper_fields(services.store, [h.document_id for h in found])
    hits = [HitPublic(**h.to_dict(), **meta.get(h.document_id, {})) for h in found]
    if query.document_id is not None:
        hits = [h for h in hits if h.document_id == query.document_id]
    return hits[query.offset : want]


def _query(validate: Callable[[], EquationSearchCreate]) -> EquationSearchCreate:
    """The validated query: 400 for a body that is not JSON, 422 for fields out of range."""
    try:
        return validate()
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            raise InputError('body must be JSON like {"latex": "a^2+b^2=c^2", "k": 10}') from exc
        raise InvalidParameterError(describe_errors(exc.errors())) from exc


def _read_image(services: ServicesDep, data: bytes, name: str) -> dict[str, Any]:
    """What the screenshot reads as: its formula region found first (a loose crop holds prose)."""
    check_image_input(data, name, services.settings)
    settings = services.settings
    image = load_image(
        data, max_pixels=settings.max_image_pixels, max_bytes=settings.max_file_bytes
    )
    try:
        detector = services.models.formula_detector
    except ScipixError as exc:  # a missing layout model reads the whole image
        logger.warning("no layout detector for image queries: %s", exc)
        detector = None
    read = read_query_image(image, services.latex_recognizer(), detector)
    if not read.latex:
        raise EmptyQueryError(read.message or "no formula was recognised in the image")
    return read.to_dict()


@router.post(
    "/equations",
    response_model=EquationSearchPublic,
    dependencies=[ReadKey],
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": inline_schema(EquationSearchCreate)},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "image": {"type": "string", "format": "binary"},
                            "latex": {"type": "string"},
                            "k": {"type": "integer"},
                            "limit": {"type": "integer"},
                            "offset": {"type": "integer"},
                            "document_id": {"type": "integer"},
                        },
                    }
                },
            }
        }
    },
)
async def search_equations(request: Request, services: ServicesDep) -> EquationSearchPublic:
    """Equations like a LaTeX formula (JSON ``{latex}``) or like a formula image (multipart).

    A multipart ``image`` is read by formula OCR first (its display-equation region, where the
    screenshot holds prose too); what it read is returned in ``ocr``. When that LaTeX does not
    parse, the answer has no hits and ``ocr.parses`` false with ``ocr.message``: correct the
    LaTeX and search again.
    """
    content_type = request.headers.get("content-type", "")
    ocr: dict[str, Any] | None = None
    if content_type.startswith("multipart/form-data"):
        limit = services.settings.max_upload_bytes
        form = await request.form(max_files=1, max_fields=10, max_part_size=limit)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        image = form.get("image") or form.get("file")
        if image is not None and not isinstance(image, str):
            # The other fields first: a k out of range is refused before OCR runs.
            _query(lambda: EquationSearchCreate.model_validate({**fields, "latex": "x"}))
            data = await read_upload(image, limit)
            ocr = await run_limited(
                services, _read_image, services, data, image.filename or "image"
            )
            fields["latex"] = ocr["latex"]
            if not ocr["parses"]:
                # Not the user's LaTeX: no parse error about it, but what was read, to correct.
                read = _query(lambda: EquationSearchCreate.model_validate(fields))
                return EquationSearchPublic(data=[], count=0, query=read.latex, ocr=ocr)
        query = _query(lambda: EquationSearchCreate.model_validate(fields))
    elif content_type.startswith("application/json"):
        raw = await request.body()
        query = _query(lambda: EquationSearchCreate.model_validate_json(raw))
    else:
        raise UnsupportedContentError('send JSON {"latex": ...} or a multipart form with an image')
    hits = await run_limited(services, _equation_search, services, query)
    return EquationSearchPublic(
        data=hits, count=len(hits), query=query.latex, offset=query.offset, ocr=ocr
    )


@router.get("/documents", response_model=TextSearchPublic, dependencies=[ReadKey])
async def search_documents(
    services: ServicesDep,
    searcher: SearcherDep,
    q: Annotated[str, Query(max_length=2000, description="words or a question")] = "",
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    limit: Annotated[int | None, Query(ge=1, le=100, description=LIMIT_DESCRIPTION)] = None,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    mode: Annotated[str, Query(pattern="^(hybrid|dense|keyword)$")] = "hybrid",
    document_id: DocumentFilter = None,
    author: AuthorParam = None,
    year: YearParam = None,
) -> TextSearchPublic:
    """Passages by meaning and keywords, and the documents they belong to (best first).
    ``author:name`` and ``year:2019`` in ``q`` (or the parameters) keep those papers only."""
    k = k if limit is None else limit
    want = offset + k
    fetch = want if document_id is None else max(want * 10, 200)
    words, papers = query_filter(q, author, year)
    active = filtered(services.store, searcher, papers)
    hits = await run_limited(services, active.search, words, fetch, mode=mode)
    meta = paper_fields(services.store, [h.document_id for h in hits])
    data = [HitPublic(**h.to_dict(), **meta.get(h.document_id, {})) for h in hits]
    if document_id is not None:
        data = [h for h in data if h.document_id == document_id]
    data = data[offset:want]
    groups: dict[int, DocumentGroupPublic] = {}
    for hit in data:
        group = groups.get(hit.document_id)
        if group is None:
            groups[hit.document_id] = DocumentGroupPublic(
                document_id=hit.document_id,
                source=hit.source,
                title=hit.title,
                authors=hit.authors or [],
                year=hit.year,
                score=hit.score,
                passages=[hit],
            )
        else:
            group.passages.append(hit)
    return TextSearchPublic(
        data=data, count=len(data), query=q, offset=offset, documents=list(groups.values())
    )


@router.get("", response_model=MixedSearchPublic, dependencies=[ReadKey])
async def search_words_and_math(
    services: ServicesDep,
    searcher: SearcherDep,
    q: Annotated[
        str,
        Query(max_length=4000, description="words and $LaTeX$ formulas, e.g. 'rate $O(1/T)$'"),
    ] = "",
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    limit: Annotated[int | None, Query(ge=1, le=100, description=LIMIT_DESCRIPTION)] = None,
    offset: Annotated[int, Query(ge=0, le=1000, description="papers skipped (paging)")] = 0,
    author: AuthorParam = None,
    year: YearParam = None,
) -> MixedSearchPublic:
    """Papers for one query of words and ``$...$`` formulas: the passages the words find and
    the equations each formula finds, fused per paper by reciprocal rank. ``author:name`` and
    ``year:2019`` (or ``2015-2019``) in ``q``, or the parameters, keep those papers only."""
    k = k if limit is None else limit
    words, papers = query_filter(q, author, year)
    parts = split_query(words)
    equations = services.equation_searcher() if parts.formulas else None
    store = services.store
    found = await run_limited(
        services,
        lambda: search_mixed(
            words,
            passages=filtered(store, searcher, papers),
            equations=filtered(store, equations, papers),
            k=offset + k,
        )[offset:],
    )
    meta = paper_fields(store, [d.document_id for d in found])
    documents = [
        MixedDocumentPublic(
            document_id=d.document_id,
            source=d.source,
            title=d.title,
            **meta.get(d.document_id, {}),
            score=d.score,
            passage=HitPublic(**d.passage.to_dict()) if d.passage is not None else None,
            equations=[HitPublic(**h.to_dict()) for h in d.equations],
        )
        for d in found
    ]
    return MixedSearchPublic(
        query=q,
        words=parts.words,
        formulas=parts.formulas,
        documents=documents,
        count=len(documents),
        offset=offset,
    )
