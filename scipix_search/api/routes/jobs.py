"""Ingestion jobs: poll one for its status, attempts, error and document."""

from __future__ import annotations

from fastapi import APIRouter

from scipix_search.api.deps import JobId, ReadKey, SessionDep
from scipix_search.api.errors import public_reason
from scipix_search.api.schemas import NOT_FOUND, JobPublic
from scipix_search.exceptions import NotFoundError
from scipix_search.store import Job
from scipix_search.worker import get_job

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


def job_public(job: Job) -> JobPublic:
    """The public view of a job; the worker's result moves from the payload to ``result``."""
    payload = dict(job.payload or {})
    return JobPublic(
        id=job.id,
        kind=job.kind,
        status=job.status,  # type: ignore[arg-type]  # a str column: pydantic checks the Literal
        document_id=job.document_id,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        error=public_reason(job.error) if job.error else None,
        result=payload.get("result"),
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


@router.get("/{job_id}", response_model=JobPublic, dependencies=[ReadKey], responses=NOT_FOUND)
def read_job(session: SessionDep, job_id: JobId) -> JobPublic:
    """A job's state: queued, running, succeeded (with document_id) or failed (with error)."""
    job = get_job(session=session, job_id=job_id)
    if job is None:
        raise NotFoundError(f"job {job_id} does not exist", job_id=job_id)
    return job_public(job)
