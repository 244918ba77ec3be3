"""The ingestion worker: jobs in the database, claimed with a lease, retried with backoff.

Names are imported on first use (PEP 562 ``__getattr__``, as in ``store``): the CLI's
``ingest --jobs N`` needs only :class:`JobProcess` in its own process, and importing the
pipeline, SQLAlchemy and the store for the queue and the runner cost it about 0.4 CPU s before
its job processes could start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scipix_search._lazy import lazy_exports

if TYPE_CHECKING:
    from scipix_search.worker._budget import Budget, JobProcess, rss_mb
    from scipix_search.worker._queue import (
        FAILED,
        QUEUED,
        RUNNING,
        SUCCEEDED,
        ClaimedJob,
        claim,
        complete,
        enqueue,
        enqueue_once,
        fail,
        find_active_job,
        get_job,
        heartbeat,
        reap_expired,
    )
    from scipix_search.worker._runner import INGEST, Worker, start_background_worker
    from scipix_search.worker._uploads import (
        ORPHAN_AGE_S,
        fetch_upload,
        release_upload,
        remove_upload,
        safe_filename,
        save_upload,
        stage_upload,
        sweep_uploads,
        upload_lock,
        upload_path,
    )

# Each public name and the module that defines it (the imports above, for type checkers).
__getattr__ = lazy_exports(
    __name__,
    {
        "scipix_search.worker._budget": (
            "Budget",
            "JobProcess",
            "rss_mb",
        ),
        "scipix_search.worker._queue": (
            "FAILED",
            "QUEUED",
            "RUNNING",
            "SUCCEEDED",
            "ClaimedJob",
            "claim",
            "complete",
            "enqueue",
            "enqueue_once",
            "fail",
            "find_active_job",
            "get_job",
            "heartbeat",
            "reap_expired",
        ),
        "scipix_search.worker._runner": (
            "INGEST",
            "Worker",
            "start_background_worker",
        ),
        "scipix_search.worker._uploads": (
            "ORPHAN_AGE_S",
            "fetch_upload",
            "release_upload",
            "remove_upload",
            "safe_filename",
            "save_upload",
            "stage_upload",
            "sweep_uploads",
            "upload_lock",
            "upload_path",
        ),
    },
)

__all__ = [
    "Budget",
    "FAILED",
    "INGEST",
    "JobProcess",
    "ORPHAN_AGE_S",
    "QUEUED",
    "RUNNING",
    "SUCCEEDED",
    "ClaimedJob",
    "Worker",
    "claim",
    "complete",
    "enqueue",
    "enqueue_once",
    "fetch_upload",
    "fail",
    "find_active_job",
    "get_job",
    "heartbeat",
    "reap_expired",
    "rss_mb",
    "release_upload",
    "remove_upload",
    "safe_filename",
    "save_upload",
    "stage_upload",
    "start_background_worker",
    "sweep_uploads",
    "upload_lock",
    "upload_path",
]
