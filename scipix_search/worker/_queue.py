"""A job queue in the ``jobs`` table: enqueue, claim with a lease, heartbeat, retry, fail.

Claiming is one ``UPDATE ... WHERE id = (SELECT ...) RETURNING`` statement. On PostgreSQL the
inner select takes ``FOR UPDATE SKIP LOCKED``, so many workers on many machines each get a
different job without waiting on each other. On SQLite the database write lock serialises the
statement and the outer ``WHERE`` repeats the claimable condition, so two local processes can
never both claim one job.

A job is claimable when it is ``queued`` and due, or ``running`` with an expired lease (its
worker died). Every claim counts an attempt; a job whose lease expires on its last attempt is
marked ``failed`` by :func:`reap_expired`.

A job queued for an upload holds its content hash in ``active_sha256`` while it is queued or
running; a unique index on that column makes a second active job for the same bytes impossible
(:func:`enqueue_once`: the losing insert finds the winner's job), even across processes. When the
job ends the hash is cleared and its upload file released (``_uploads.release_upload``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scipix_search.exceptions import StoreError
from scipix_search.store import Job, Store
from scipix_search.worker._uploads import release_upload, sweep_uploads, without_upload_data

if TYPE_CHECKING:
    from sqlalchemy import CursorResult, Result

logger = logging.getLogger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
ACTIVE = (QUEUED, RUNNING)
MAX_ERROR_CHARS = 4000
#: Orphaned uploads are swept at a worker's first poll, then at most this often (seconds).
SWEEP_EVERY_S = 3600.0
_last_sweep: dict[str, float] = {}
_sweep_lock = threading.Lock()


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


def enqueue(
    *,
    session: Session,
    kind: str,
    payload: dict[str, Any],
    max_attempts: int = 3,
    dedup_sha256: str | None = None,
) -> Job:
    """Add a queued job (flushed, so it has an id; committed with the caller's transaction).

    Raises:
        IntegrityError: ``dedup_sha256`` is given and an active job already holds it.
    """
    now = utcnow()
    job = Job(
        kind=kind,
        status=QUEUED,
        payload=payload,
        active_sha256=dedup_sha256,
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


def enqueue_once(
    store: Store, *, kind: str, sha256: str, payload: dict[str, Any], max_attempts: int = 3
) -> tuple[Job, bool]:
    """Queue a job for the content ``sha256`` unless an active job has it already.

    The database decides (the unique ``active_sha256``), so six concurrent uploads of the same
    bytes make one job whatever the interleaving.

    Returns:
        The job (committed), and whether this call created it.
    """
    for _ in range(3):
        try:
            with store.session() as session:
                job = enqueue(
                    session=session,
                    kind=kind,
                    payload=payload,
                    max_attempts=max_attempts,
                    dedup_sha256=sha256,
                )
            return job, True
        except IntegrityError:
            with store.session() as session:
                active = find_active_job(session=session, kind=kind, sha256=sha256)
            if active is not None:
                return active, False
            # The winner's job ended between our insert and our look-up: insert again.
    raise StoreError("the upload could not be queued (its job kept changing); try again")


def find_active_job(*, session: Session, kind: str, sha256: str) -> Job | None:
    """A queued or running job of ``kind`` for the upload with this sha256, if any."""
    job = session.scalars(select(Job).where(Job.active_sha256 == sha256, Job.kind == kind)).first()
    if job is not None:
        return job
    # Jobs queued before migration 0002 name their upload only in the payload.
    legacy = session.scalars(
        select(Job)
        .where(Job.kind == kind, Job.status.in_(ACTIVE), Job.active_sha256.is_(None))
        .order_by(Job.id)
    )
    return next((j for j in legacy if (j.payload or {}).get("sha256") == sha256), None)


def _release(store: Store, payload: dict[str, Any] | None) -> None:
    """After a job ended: its upload is no longer needed (unless another active job has it)."""
    sha256 = str((payload or {}).get("sha256", ""))
    try:
        release_upload(store, sha256)
    except Exception:  # housekeeping: a failure here must not undo the job's outcome
        logger.warning("could not release an upload", exc_info=True, extra={"action": "release"})


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
        job.active_sha256 = None
        job.document_id = document_id
        job.payload = {**without_upload_data(job.payload), "result": result}
        job.error = None
        job.locked_by = None
        job.lease_until = None
        job.updated_at = now
        payload = dict(job.payload or {})
    _release(store, payload)
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
            job.active_sha256 = None
            job.payload = without_upload_data(job.payload)
        status, payload = job.status, dict(job.payload or {})
    if status == FAILED:
        # After the last attempt the upload is of no use: its bytes are bad (or cursed).
        _release(store, payload)
    return status


def reap_expired(store: Store) -> int:
    """Fail running jobs whose lease expired on their last attempt; returns how many.

    Also releases their uploads, and sweeps orphaned uploads (``_uploads.sweep_uploads``) at a
    process's first call for a data folder and then at most every :data:`SWEEP_EVERY_S`.
    """
    _maybe_sweep(store)
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
            active_sha256=None,
            locked_by=None,
            lease_until=None,
            updated_at=now,
        )
        .returning(Job.payload)
        .execution_options(synchronize_session=False)
    )
    with store.session() as session:
        payloads = [dict(row.payload or {}) for row in session.execute(stmt)]
    for payload in payloads:
        _release(store, payload)
    count = len(payloads)
    if count:
        logger.warning(
            "%d job(s) failed after their lease expired", count, extra={"action": "reap"}
        )
    return int(count)


def _maybe_sweep(store: Store) -> None:
    folder = str(store.settings.data_dir)
    with _sweep_lock:
        last = _last_sweep.get(folder)
        if last is not None and time.monotonic() - last < SWEEP_EVERY_S:
            return
        _last_sweep[folder] = time.monotonic()
    try:
        sweep_uploads(store)
    except Exception:  # housekeeping never stops a worker
        logger.warning("sweeping uploads failed", exc_info=True, extra={"action": "sweep"})
