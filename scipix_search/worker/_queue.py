"""A job queue in the ``jobs`` table: enqueue, claim with a lease, heartbeat, retry, fail.

Claiming is one ``UPDATE ... WHERE id = (SELECT ...) RETURNING`` statement. On PostgreSQL the
inner select takes ``FOR UPDATE SKIP LOCKED``, so many workers on many machines each get a
different job without waiting on each other. On SQLite the database write lock serialises the
statement and the outer ``WHERE`` repeats the claimable condition, so two local processes can
never both claim one job.

A job is claimable when it is ``queued`` and due, or ``running`` with an expired lease (its
worker died). Every claim counts an attempt; a job whose lease expires on its last attempt is
marked ``failed`` by :func:`reap_expired`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from scipix_search.store import Job, Store

if TYPE_CHECKING:
    from sqlalchemy import CursorResult, Result

logger = logging.getLogger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
ACTIVE = (QUEUED, RUNNING)
MAX_ERROR_CHARS = 4000


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this worker holds the lease of."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


def enqueue(*, session: Session, kind: str, payload: dict[str, Any], max_attempts: int = 3) -> Job:
    """Add a queued job (flushed, so it has an id; committed with the caller's transaction)."""
    now = utcnow()
    job = Job(
        kind=kind,
        status=QUEUED,
        payload=payload,
        attempts=0,
        max_attempts=max_attempts,
        run_after=now,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    return job


def get_job(*, session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def find_active_job(*, session: Session, kind: str, sha256: str) -> Job | None:
    """A queued or running job of ``kind`` for the upload with this sha256, if any."""
    jobs = session.scalars(
        select(Job).where(Job.kind == kind, Job.status.in_(ACTIVE)).order_by(Job.id)
    )
    return next((j for j in jobs if (j.payload or {}).get("sha256") == sha256), None)


def _rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE: DML results are CursorResults (typed as plain Results)."""
    return cast("CursorResult[Any]", result).rowcount


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Job.status == QUEUED, Job.run_after <= now),
        and_(
            Job.status == RUNNING,
            Job.lease_until < now,
            Job.attempts < Job.max_attempts,
        ),
    )


def claim(store: Store, *, worker_id: str, lease_s: float) -> ClaimedJob | None:
    """Claim the oldest due job for ``lease_s`` seconds, or return None when there is none."""
    now = utcnow()
    inner = select(Job.id).where(_claimable(now)).order_by(Job.run_after, Job.id).limit(1)
    if not store.settings.is_sqlite:
        inner = inner.with_for_update(skip_locked=True)
    stmt = (
        update(Job)
        .where(Job.id == inner.scalar_subquery(), _claimable(now))
        .values(
            status=RUNNING,
            locked_by=worker_id,
            lease_until=now + timedelta(seconds=lease_s),
            attempts=Job.attempts + 1,
            updated_at=now,
        )
        .returning(Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts)
        .execution_options(synchronize_session=False)
    )
    with store.session() as session:
        row = session.execute(stmt).first()
    if row is None:
        return None
    return ClaimedJob(row.id, row.kind, dict(row.payload or {}), row.attempts, row.max_attempts)


def heartbeat(store: Store, *, job_id: int, worker_id: str, lease_s: float) -> bool:
    """Extend the lease; False when this worker no longer holds the job."""
    now = utcnow()
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.locked_by == worker_id, Job.status == RUNNING)
        .values(lease_until=now + timedelta(seconds=lease_s), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    with store.session() as session:
        return _rowcount(session.execute(stmt)) == 1


def complete(
    store: Store,
    *,
    job_id: int,
    worker_id: str,
    document_id: int | None,
    result: dict[str, Any],
) -> bool:
    """Mark a held job succeeded; False when the lease was lost (another worker took over)."""
    now = utcnow()
    with store.session() as session:
        job = session.get(Job, job_id, with_for_update=not store.settings.is_sqlite)
        if job is None or job.locked_by != worker_id or job.status != RUNNING:
            return False
        job.status = SUCCEEDED
        job.document_id = document_id
        job.payload = {**(job.payload or {}), "result": result}
        job.error = None
        job.locked_by = None
        job.lease_until = None
        job.updated_at = now
    return True


def fail(
    store: Store,
    *,
    job_id: int,
    worker_id: str,
    error: str,
    retry: bool,
    backoff_s: float,
) -> str | None:
    """Record a failed attempt: back to ``queued`` with backoff, or ``failed`` for good.

    Args:
        store: the store holding the jobs table.
        job_id: the job.
        worker_id: the worker that holds its lease.
        error: one-line reason, kept on the job.
        retry: whether the error is worth another attempt (bad input is not).
        backoff_s: the first retry delay; attempt ``n`` waits ``backoff_s * 2**(n-1)``.

    Returns:
        The new status, or None when this worker no longer held the job.
    """
    now = utcnow()
    with store.session() as session:
        job = session.get(Job, job_id, with_for_update=not store.settings.is_sqlite)
        if job is None or job.locked_by != worker_id or job.status != RUNNING:
            return None
        job.error = error[:MAX_ERROR_CHARS]
        job.locked_by = None
        job.lease_until = None
        job.updated_at = now
        if retry and job.attempts < job.max_attempts:
            job.status = QUEUED
            job.run_after = now + timedelta(seconds=backoff_s * 2 ** max(job.attempts - 1, 0))
        else:
            job.status = FAILED
        return job.status


def reap_expired(store: Store) -> int:
    """Fail running jobs whose lease expired on their last attempt; returns how many."""
    now = utcnow()
    stmt = (
        update(Job)
        .where(
            Job.status == RUNNING,
            Job.lease_until < now,
            Job.attempts >= Job.max_attempts,
        )
        .values(
            status=FAILED,
            error="the worker stopped (lease expired) on the last attempt",
            locked_by=None,
            lease_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    with store.session() as session:
        count = _rowcount(session.execute(stmt))
    if count:
        logger.warning(
            "%d job(s) failed after their lease expired", count, extra={"action": "reap"}
        )
    return int(count)
