"""The heartbeat renews a lease while a job is within its budget, and never past it."""

from __future__ import annotations

import time

from scipix_search.config import Settings
from scipix_search.store import Job, Store
from scipix_search.worker import claim, enqueue, reap_expired
from scipix_search.worker._runner import _Heartbeat


def _claimed(store: Store, lease_s: float, max_attempts: int = 1) -> int:
    with store.session() as session:
        job_id = enqueue(
            session=session, kind="ingest", payload={"sha256": "0" * 64}, max_attempts=max_attempts
        ).id
    job = claim(store, worker_id="w", lease_s=lease_s)
    assert job is not None and job.id == job_id
    return job_id


def test_heartbeat_keeps_a_job_within_its_budget(settings: Settings) -> None:
    store = Store(settings)
    job_id = _claimed(store, lease_s=0.6)
    with _Heartbeat(store, job_id, "w", lease_s=0.6, limit_s=30):
        time.sleep(1.5)  # over two leases: only the heartbeat keeps it
        assert claim(store, worker_id="other", lease_s=0.6) is None


def test_heartbeat_lets_a_runaway_lease_lapse(settings: Settings) -> None:
    # A job stuck past its budget where it cannot be killed (thread isolation) must not hold
    # its lease for ever: past the limit the heartbeat stops, the lease lapses, and a job on
    # its last attempt is failed by the reaper.
    store = Store(settings)
    job_id = _claimed(store, lease_s=0.6)
    with _Heartbeat(store, job_id, "w", lease_s=0.6, limit_s=0.5):
        time.sleep(1.8)
        assert reap_expired(store) == 1
    with store.session() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "failed"
