"""Pages of a stored PDF: their size, and their image with hits boxed ("where it is")."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from scipix_search.api import _queries as queries
from scipix_search.api._render import parse_bbox, render_region
from scipix_search.api.deps import DocumentId, PageNumber, ReadKey, ServicesDep, run_limited
from scipix_search.api.schemas import MAX_ID, ErrorPublic, PagePublic
from scipix_search.exceptions import NotFoundError, UnsupportedContentError
from scipix_search.store import Document, Store, original_path

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/documents", tags=["pages"])

#: A page view shows a few hits at once; more boxes than this are a request to refuse.
MAX_HIGHLIGHTS = 50

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorPublic, "description": "No such document, page, equation or passage"},
    415: {"model": ErrorPublic, "description": "The document has no pages (not a PDF)"},
    422: {"model": ErrorPublic, "description": "A box that is not x0,y0,x1,y1"},
}

Box = tuple[float, float, float, float]


def _document(store: Store, document_id: int) -> tuple[str | None, str]:
    with store.session() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFoundError(f"document {document_id} does not exist", document_id=document_id)
        return document.stored_file, document.kind


@router.get(
    "/{document_id}/pages/{number}",
    response_model=PagePublic,
    dependencies=[ReadKey],
    responses={404: _ERRORS[404]},
)
def get_page(services: ServicesDep, document_id: DocumentId, number: PageNumber) -> PagePublic:
    """A page's size in PDF points (the unit of every ``bbox``) and the URL of its image."""
    _document(services.store, document_id)
    with services.store.session() as session:
        page = queries.get_page(session=session, document_id=document_id, number=number)
        if page is None:
            raise NotFoundError(f"document {document_id} has no page {number}")
        width, height = page.width, page.height
    return PagePublic(
        document_id=document_id,
        number=number,
        width=width,
        height=height,
        image=f"/v1/documents/{document_id}/pages/{number}/image",
    )


def _stored_pdf(services: ServicesDep, document_id: int) -> Path:
    stored_file, kind = _document(services.store, document_id)
    if kind != "pdf":
        raise UnsupportedContentError(f"document {document_id} is {kind}, not a PDF")
    # Only the original kept by content: never a name looked up on disk (a name in the
    # working directory once served an unrelated PDF).
    path = None
    if stored_file is not None:
        try:
            path = original_path(services.settings, stored_file)
        except ValueError:
            logger.warning("document %d names a malformed stored file", document_id)
    if path is None or not path.is_file():
        reason = (
            "was ingested before original files were kept (delete it and ingest it again)"
            if stored_file is None
            else "has lost its stored original file on this server"
        )
        raise NotFoundError(f"the PDF of document {document_id} {reason}")
    return path


def _boxes_of(
    store: Store, document_id: int, number: int, equations: list[int], passages: list[int]
) -> list[Box]:
    """The boxes of stored equations and passages, each checked to lie on this page."""
    boxes: list[Box] = []
    with store.session() as session:
        for kind, ids in (("equation", equations), ("passage", passages)):
            for item_id in ids:
                row = queries.get_placed(session=session, kind=kind, item_id=item_id)
                if row is None or row.document_id != document_id or row.page != number:
                    raise NotFoundError(
                        f"{kind} {item_id} is not on page {number} of document {document_id}"
                    )
                if row.bbox is not None:
                    x0, y0, x1, y1 = row.bbox
                    boxes.append((x0, y0, x1, y1))
    return boxes


IdList = Annotated[list[int], Query(max_length=MAX_HIGHLIGHTS)]


@router.get(
    "/{document_id}/pages/{number}/image",
    response_class=Response,
    dependencies=[ReadKey],
    responses={200: {"content": {"image/png": {}}}, **_ERRORS},
)
async def page_image(
    services: ServicesDep,
    document_id: DocumentId,
    number: PageNumber,
    bbox: Annotated[
        str | None, Query(description="x0,y0,x1,y1 in PDF points: a crop around this box")
    ] = None,
    box: Annotated[
        list[str],
        Query(
            max_length=MAX_HIGHLIGHTS,
            description="x0,y0,x1,y1 in PDF points, repeated: boxes drawn on the page",
        ),
    ] = [],  # noqa: B006 - FastAPI copies a list default per request
    equation: Annotated[
        list[Annotated[int, Query(ge=1, le=MAX_ID)]],
        Query(max_length=MAX_HIGHLIGHTS, description="ids of equations on this page to box"),
    ] = [],  # noqa: B006
    passage: Annotated[
        list[Annotated[int, Query(ge=1, le=MAX_ID)]],
        Query(max_length=MAX_HIGHLIGHTS, description="ids of passages on this page to box"),
    ] = [],  # noqa: B006
    highlight: Annotated[bool, Query(description="draw the boxes (false: the page alone)")] = True,
    dpi: Annotated[int, Query(ge=36, le=200)] = 110,
) -> Response:
    """A PNG of a whole page with the given boxes, equations and passages highlighted, or of
    the region around ``bbox`` with that box highlighted. The image is the page at ``dpi``
    (72 dpi is one pixel per PDF point), scaled down only past 4 megapixels."""
    region = parse_bbox(bbox)
    boxes: list[Box] = []
    for text in box:
        parsed = parse_bbox(text)
        if parsed is not None:
            boxes.append(parsed)
    path = _stored_pdf(services, document_id)
    if equation or passage:
        boxes += await run_limited(
            services, _boxes_of, services.store, document_id, number, equation, passage
        )
    png = await run_limited(
        services,
        render_region,
        path,
        number,
        bbox=region,
        highlight=highlight,
        dpi=dpi,
        boxes=boxes,
    )
    return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=3600"})
