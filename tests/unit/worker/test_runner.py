"""The worker loop with the real pipeline: success, permanent failure, retry with backoff."""

from __future__ import annotations

import asyncio
import time

import pytest

from scipix_search.pipeline import Indexer
from scipix_search.store import Job
from scipix_search.worker import FAILED, INGEST, QUEUED, SUCCEEDED, Worker, enqueue, save_upload
from tests.factories import LOREM, make_pdf

pytestmark = pytest.mark.model


def _queue_upload(worker: Worker, data: bytes, name: str) -> int:
    from scipix_search.ingest import sha256_bytes

    sha = sha256_bytes(data)
    save_upload(worker.settings, sha, data)
    with worker.store.session() as session:
        return enqueue(session=session, kind=INGEST, payload={"sha256": sha, "name": name}).id


def _job(worker: Worker, job_id: int) -> Job:
    with worker.store.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


@pytest.fixture
def worker(settings, text_encoder) -> Worker:  # type: ignore[no-untyped-def]
    # In the worker's own thread: these tests hand it an indexer (and patch it); the child
    # process of the default isolation is tested in test_budget.py.
    slow_retry = settings.model_copy(update={"worker_backoff_s": 30, "job_isolation": "thread"})
    indexer = Indexer(slow_retry, text_encoder=text_encoder)
    return Worker(slow_retry, indexer=indexer, worker_id="t")


def test_worker_ingests_upload_and_records_document(worker: Worker) -> None:
    pdf = make_pdf([[LOREM]], title="Spectral Notes")
    job_id = _queue_upload(worker, pdf, "a.pdf")
    assert worker.run(burst=True) == 1
    job = _job(worker, job_id)
    assert job.status == SUCCEEDED and job.document_id is not None and job.attempts == 1
    assert job.payload["result"]["status"] == "added"
    # The same bytes again: the job succeeds with the stored document.
    again = _queue_upload(worker, pdf, "b.pdf")
    worker.run(burst=True)
    assert _job(worker, again).payload["result"]["status"] == "present"
    assert _job(worker, again).document_id == job.document_id


def test_worker_bad_content_fails_without_retry(worker: Worker) -> None:
    # Plain text under an image name: refused by its bytes, a permanent failure.
    job_id = _queue_upload(worker, b"this is not an image at all", "formula.png")
    worker.run(burst=True)
    job = _job(worker, job_id)
    assert job.status == FAILED and job.attempts == 1
    assert "formula.png" in (job.error or "")
    assert "not an image" in (job.error or "")


def test_worker_missing_upload_fails(worker: Worker) -> None:
    with worker.store.session() as session:
        job_id = enqueue(session=session, kind=INGEST, payload={"sha256": "0" * 64}).id
    worker.run(burst=True)
    job = _job(worker, job_id)
    assert job.status == FAILED and "cannot be read" in (job.error or "")


def test_worker_crash_is_retried_with_backoff(worker: Worker, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    job_id = _queue_upload(worker, make_pdf([[LOREM]]), "c.pdf")

    def boom(data: bytes, name: str) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(worker.indexer, "ingest_bytes", boom)
    worker.run(burst=True)
    job = _job(worker, job_id)
    assert job.status == QUEUED and job.attempts == 1
    assert job.error == "RuntimeError: database went away"
    assert worker.run(burst=True) == 0  # backoff: not due yet


def test_run_limited_times_out(settings) -> None:  # type: ignore[no-untyped-def]
    from scipix_search.api._services import Services
    from scipix_search.api.deps import run_limited
    from scipix_search.api.errors import RequestTimeoutError

    services = Services(settings.model_copy(update={"request_timeout_s": 0.1}))
    with pytest.raises(RequestTimeoutError, match="0.1 s"):
        asyncio.run(run_limited(services, time.sleep, 0.5))
