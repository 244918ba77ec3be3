"""The jobs-table queue on SQLite and PostgreSQL: claim, lease, heartbeat, retry, fail."""

from __future__ import annotations

import threading
from datetime import timedelta

from scipix_search.store import Job, Store
from scipix_search.worker import (
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    claim,
    complete,
    enqueue,
    fail,
    find_active_job,
    heartbeat,
    reap_expired,
)
from scipix_search.worker._queue import utcnow


def _enqueue(store: Store, n: int = 1, max_attempts: int = 3) -> list[int]:
    with store.session() as session:
        return [
            enqueue(
                session=session,
                kind="ingest",
                payload={"sha256": f"{i:064x}", "name": f"f{i}.pdf"},
                max_attempts=max_attempts,
            ).id
            for i in range(n)
        ]


def _job(store: Store, job_id: int) -> Job:
    with store.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_claim_empty_queue_returns_none(db_settings) -> None:
    assert claim(Store(db_settings), worker_id="w", lease_s=5) is None


def test_claim_takes_oldest_and_sets_lease(db_settings) -> None:
    store = Store(db_settings)
    first, second = _enqueue(store, 2)
    job = claim(store, worker_id="w1", lease_s=30)
    assert job is not None and job.id == first and job.attempts == 1
    assert job.payload["name"] == "f0.pdf"
    row = _job(store, first)
    assert row.status == RUNNING and row.locked_by == "w1" and row.lease_until is not None
    assert claim(store, worker_id="w2", lease_s=30).id == second  # type: ignore[union-attr]
    assert claim(store, worker_id="w3", lease_s=30) is None


def test_claim_concurrent_workers_never_share_a_job(db_settings) -> None:
    store = Store(db_settings)
    ids = _enqueue(store, 20)
    got: list[int] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while (job := claim(store, worker_id=name, lease_s=30)) is not None:
            with lock:
                got.append(job.id)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == ids


def _frozen_clock(monkeypatch) -> list:
    """The queue's clock, moved by the test: a loaded machine cannot outrun a short lease."""
    now = [utcnow()]
    monkeypatch.setattr("scipix_search.worker._queue.utcnow", lambda: now[0])
    return now


def test_claim_expired_lease_is_reclaimed(db_settings, monkeypatch) -> None:
    store = Store(db_settings)
    (job_id,) = _enqueue(store)
    now = _frozen_clock(monkeypatch)
    assert claim(store, worker_id="dead", lease_s=10) is not None
    now[0] += timedelta(seconds=9)
    assert claim(store, worker_id="other", lease_s=30) is None  # lease still held
    now[0] += timedelta(seconds=2)
    job = claim(store, worker_id="other", lease_s=30)
    assert job is not None and job.id == job_id and job.attempts == 2
    # The dead worker can neither extend nor complete the job any more.
    assert not heartbeat(store, job_id=job_id, worker_id="dead", lease_s=30)
    assert not complete(store, job_id=job_id, worker_id="dead", document_id=None, result={})
    assert heartbeat(store, job_id=job_id, worker_id="other", lease_s=30)
    assert complete(store, job_id=job_id, worker_id="other", document_id=None, result={"a": 1})
    row = _job(store, job_id)
    assert row.status == SUCCEEDED and row.payload["result"] == {"a": 1} and row.locked_by is None


def test_fail_retries_with_backoff_then_fails_for_good(db_settings) -> None:
    store = Store(db_settings)
    (job_id,) = _enqueue(store, max_attempts=2)
    claim(store, worker_id="w", lease_s=30)
    assert (
        fail(store, job_id=job_id, worker_id="w", error="boom", retry=True, backoff_s=60) == QUEUED
    )
    row = _job(store, job_id)
    assert row.error == "boom"
    assert row.run_after.replace(tzinfo=None) > (utcnow() + timedelta(seconds=50)).replace(
        tzinfo=None
    )
    assert claim(store, worker_id="w", lease_s=30) is None  # not due yet
    assert fail(store, job_id=job_id, worker_id="w", error="x", retry=True, backoff_s=0) is None
    with store.session() as session:
        session.get(Job, job_id).run_after = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
    assert claim(store, worker_id="w", lease_s=30).attempts == 2  # type: ignore[union-attr]
    status = fail(store, job_id=job_id, worker_id="w", error="boom again", retry=True, backoff_s=0)
    assert status == FAILED
    assert _job(store, job_id).error == "boom again"


def test_fail_without_retry_keeps_the_reason(db_settings) -> None:
    store = Store(db_settings)
    (job_id,) = _enqueue(store)
    claim(store, worker_id="w", lease_s=30)
    assert (
        fail(store, job_id=job_id, worker_id="w", error="bad pdf", retry=False, backoff_s=1)
        == FAILED
    )
    row = _job(store, job_id)
    assert row.status == FAILED and row.error == "bad pdf" and row.attempts == 1


def test_reap_expired_fails_job_on_last_attempt(db_settings, monkeypatch) -> None:
    store = Store(db_settings)
    (job_id,) = _enqueue(store, max_attempts=1)
    now = _frozen_clock(monkeypatch)
    claim(store, worker_id="dead", lease_s=10)
    now[0] += timedelta(seconds=11)
    assert claim(store, worker_id="other", lease_s=30) is None
    assert reap_expired(store) == 1
    row = _job(store, job_id)
    assert row.status == FAILED and "lease expired" in (row.error or "")


def test_find_active_job_by_sha(db_settings) -> None:
    store = Store(db_settings)
    (job_id,) = _enqueue(store)
    with store.session() as session:
        found = find_active_job(session=session, kind="ingest", sha256=f"{0:064x}")
        assert found is not None and found.id == job_id
        assert find_active_job(session=session, kind="ingest", sha256="f" * 64) is None
