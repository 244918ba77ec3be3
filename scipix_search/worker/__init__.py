"""The ingestion worker: jobs in the database, claimed with a lease, retried with backoff."""

from scipix_search.worker._queue import (
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    ClaimedJob,
    claim,
    complete,
    enqueue,
    fail,
    find_active_job,
    get_job,
    heartbeat,
    reap_expired,
)
from scipix_search.worker._runner import INGEST, Worker, start_background_worker
from scipix_search.worker._uploads import remove_upload, save_upload, upload_path

__all__ = [
    "FAILED",
    "INGEST",
    "QUEUED",
    "RUNNING",
    "SUCCEEDED",
    "ClaimedJob",
    "Worker",
    "claim",
    "complete",
    "enqueue",
    "fail",
    "find_active_job",
    "get_job",
    "heartbeat",
    "reap_expired",
    "remove_upload",
    "save_upload",
    "start_background_worker",
    "upload_path",
]
