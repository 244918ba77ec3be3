"""Documents: upload (queued for a worker), list, show and delete (pages: ``pages.py``)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from fastapi.responses import JSONResponse

from scipix_search.api import _queries as queries
from scipix_search.api._inputs import check_document, read_upload
from scipix_search.api._papers import AuthorParam, YearParam, query_filter
from scipix_search.api.deps import (
    DocumentId,
    Offset,
    ReadKey,
    ServicesDep,
    SessionDep,
    WriteKey,
    run_limited,
)
from scipix_search.api.routes.jobs import job_public
from scipix_search.api.schemas import (
    NOT_FOUND,
    DocumentDetailPublic,
    DocumentPublic,
    DocumentsPublic,
    EquationPublic,
    UploadPublic,
)
from scipix_search.exceptions import NotFoundError
from scipix_search.ingest import sha256_bytes
from scipix_search.store import Document, remove_original, repo
from scipix_search.worker import (
    INGEST,
    enqueue_once,
    remove_upload,
    safe_filename,
    stage_upload,
    upload_lock,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/documents", tags=["documents"])


def _document_or_404(session: SessionDep, document_id: int) -> Document:
    document = repo.get_document(session=session, document_id=document_id)
    if document is None:
        raise NotFoundError(f"document {document_id} does not exist", document_id=document_id)
    return document


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=UploadPublic,
    dependencies=[WriteKey],
    responses={200: {"model": UploadPublic, "description": "The file is already stored"}},
)
async def upload_document(
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="PDF, image, .tex, .tar.gz")],
) -> Response:
    """Queue a file for ingestion; the same bytes uploaded again answer the stored document."""
    settings = services.settings
    # Before the bytes are read and checked: a name with control characters is refused.
    name = safe_filename(file.filename)
    data = await read_upload(file, services.settings.max_upload_bytes)
    kind = await run_limited(services, check_document, data, name, settings)
    sha256 = sha256_bytes(data)
    return await run_limited(services, _enqueue_upload, services, data, name, kind, sha256)


def _enqueue_upload(
    services: ServicesDep, data: bytes, name: str, kind: str, sha256: str
) -> Response:
    store = services.store
    with store.session() as session:
        existing = repo.get_document_by_sha(session=session, sha256=sha256)
        if existing is not None:
            body = UploadPublic(status="present", document=DocumentPublic.model_validate(existing))
            return JSONResponse(body.model_dump(mode="json"), status_code=200)
    # Bytes first, durably; the job row that names them is committed after, under the lock a
    # worker takes to release an upload, so a job that just ended cannot delete these bytes.
    # The database, not this look-up, decides that one job exists per content.
    with upload_lock(services.settings, sha256):
        payload = {"sha256": sha256, "name": name, "kind": kind, "size": len(data)}
        job, created = enqueue_once(
            store,
            kind=INGEST,
            sha256=sha256,
            payload=stage_upload(services.settings, sha256, data, payload),
            max_attempts=services.settings.worker_max_attempts,
        )
    queued = job_public(job)
    if not created:
        # a str column: pydantic checks it is one of the Literal's (queued or running)
        body = UploadPublic(status=job.status, job=queued)  # type: ignore[arg-type]
        return JSONResponse(body.model_dump(mode="json"), status_code=202)
    body = UploadPublic(status="queued", job=queued)
    logger.info(
        "queued %s", name, extra={"action": "upload", "job_id": queued.id, "document_id": None}
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=202,
        headers={"Location": f"/v1/jobs/{queued.id}"},
    )


@router.get("", response_model=DocumentsPublic, dependencies=[ReadKey])
def list_documents(
    session: SessionDep,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    kind: Annotated[str | None, Query(description="pdf, tex, collection, ...")] = None,
    title: Annotated[str | None, Query(max_length=200, description="title contains")] = None,
    sha256: Annotated[str | None, Query(max_length=64)] = None,
    author: AuthorParam = None,
    year: YearParam = None,
) -> DocumentsPublic:
    """Documents, newest first, filtered by kind, title, sha256, author and year (``2019`` or
    ``2015-2019``: as ``author:``/``year:`` in a search); ``total`` counts every page."""
    _, papers = query_filter("", author, year)
    rows, total = queries.list_documents(
        session=session,
        offset=offset,
        limit=limit,
        kind=kind,
        title=title,
        sha256=sha256,
        papers=papers if papers.active else None,
    )
    return DocumentsPublic(
        data=[DocumentPublic.model_validate(d) for d in rows],
        count=total,
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{document_id}",
    response_model=DocumentDetailPublic,
    dependencies=[ReadKey],
    responses=NOT_FOUND,
)
def get_document(session: SessionDep, document_id: DocumentId) -> DocumentDetailPublic:
    """One document with its equations."""
    document = _document_or_404(session, document_id)
    equations = queries.document_equations(session=session, document_id=document_id)
    return DocumentDetailPublic(
        **DocumentPublic.model_validate(document).model_dump(),
        equations=[EquationPublic.model_validate(e) for e in equations],
        passage_count=queries.passage_count(session=session, document_id=document_id),
    )


@router.delete(
    "/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[WriteKey],
    responses=NOT_FOUND,
)
def delete_document(services: ServicesDep, document_id: DocumentId) -> Response:
    """Delete a document, its rows, its vectors and its stored upload."""
    with services.store.session() as session:
        document = _document_or_404(session, document_id)
        sha256, stored_file = document.sha256, document.stored_file
    if not services.store.delete_document(document_id):
        raise NotFoundError(f"document {document_id} does not exist", document_id=document_id)
    remove_upload(services.settings, sha256)
    if stored_file is not None:
        with services.store.session() as session:
            # A pair document and its PDF alone share one original.
            shared = repo.count_documents_with_file(session=session, stored_file=stored_file)
        if not shared:
            remove_original(services.settings, stored_file)
    logger.info("deleted", extra={"action": "delete", "job_id": None, "document_id": document_id})
    return Response(status_code=status.HTTP_204_NO_CONTENT)
