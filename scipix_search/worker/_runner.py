"""The ingestion worker: claim a job, ingest its upload with a heartbeat, record the outcome.

With ``job_isolation="process"`` (the default) the ingestion itself runs in a supervised child
process under the job budget (``_budget.JobProcess``): a job over ``job_timeout_s`` or
``job_memory_mb`` is killed and fails for good with a one-line reason, and the worker goes on
with the next job and a fresh child. ``"thread"`` runs it in the worker (tests, debugging).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from scipix_search.config import Settings
from scipix_search.exceptions import JobCrashedError
from scipix_search.pipeline import Indexer, IngestOutcome
from scipix_search.store import Store
from scipix_search.worker import _queue as queue
from scipix_search.worker._budget import JobProcess
from scipix_search.worker._uploads import fetch_upload

logger = logging.getLogger(__name__)

INGEST = "ingest"


def default_worker_id() -> str:
    """``host:pid:random``: unique across machines and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class _Heartbeat:
    """Extends a job's lease every third of the lease until stopped, or until ``limit_s``.

    Past ``limit_s`` (the job budget and a lease of grace) the lease is left to lapse: a job
    that runs away where it cannot be killed (``job_isolation="thread"``) must not hold its
    lease for ever; it is then claimable again, and failed once its attempts are spent.
    """

    def __init__(
        self, store: Store, job_id: int, worker_id: str, lease_s: float, limit_s: float
    ) -> None:
        self._store, self._job_id, self._worker_id, self._lease_s = (
            store,
            job_id,
            worker_id,
            lease_s,
        )
        self._deadline = time.monotonic() + limit_s
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._lease_s / 3):
            if time.monotonic() > self._deadline:
                logger.warning("job over its time budget: lease left to lapse", extra=self._extra())
                return
            try:
                held = queue.heartbeat(
                    self._store,
                    job_id=self._job_id,
                    worker_id=self._worker_id,
                    lease_s=self._lease_s,
                )
            except Exception:  # a database hiccup: try again next beat, the lease still runs
                logger.warning("heartbeat failed", exc_info=True, extra=self._extra())
                continue
            if not held:
                self.lost = True
                logger.warning("lease lost", extra=self._extra())
                return

    def _extra(self) -> dict[str, Any]:
        return {"action": "heartbeat", "job_id": self._job_id, "document_id": None}

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class Worker:
    """Runs ingestion jobs from the ``jobs`` table until stopped.

    Args:
        settings: data folder, database, models; lease, poll interval, retry backoff; the job
            budget and ``job_isolation``.
        indexer: the pipeline to use in ``thread`` isolation (the store is shared either way);
            in ``process`` isolation the child builds its own from ``settings``.
        worker_id: name written to ``jobs.locked_by``.
        stop: set it to stop the loop after the current job.

    Example:
        >>> Worker(get_settings()).run(burst=True)  # doctest: +SKIP
        3
    """

    def __init__(
        self,
        settings: Settings,
        *,
        indexer: Indexer | None = None,
        worker_id: str | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self._indexer = indexer
        self.store = indexer.store if indexer is not None else Store(settings)
        self.worker_id = worker_id or default_worker_id()
        self.stop = stop or threading.Event()
        self._synced = False
        self.jobs = JobProcess(settings) if settings.job_isolation == "process" else None

    @property
    def indexer(self) -> Indexer:
        if self._indexer is None:
            self._indexer = Indexer(self.settings)
        return self._indexer

    def _extra(self, action: str, job_id: int | None, document_id: int | None = None) -> dict:
        return {"action": action, "job_id": job_id, "document_id": document_id}

    def run_once(self) -> bool:
        """Claim and run one job; False when the queue had nothing due."""
        queue.reap_expired(self.store)
        job = queue.claim(
            self.store, worker_id=self.worker_id, lease_s=self.settings.worker_lease_s
        )
        if job is None:
            return False
        logger.info(
            "claimed job %d (attempt %d/%d)",
            job.id,
            job.attempts,
            job.max_attempts,
            extra=self._extra("claim", job.id),
        )
        lease_s = self.settings.worker_lease_s
        limit_s = self.settings.job_timeout_s + lease_s
        with _Heartbeat(self.store, job.id, self.worker_id, lease_s, limit_s):
            self._process(job)
        return True

    def run(self, *, burst: bool = False) -> int:
        """Loop over jobs; with ``burst`` return when the queue is empty. Returns jobs run."""
        done = 0
        logger.info("worker %s started", self.worker_id, extra=self._extra("start", None))
        try:
            # Load the model before claiming, so a lease is not spent on start-up.
            if self.jobs is not None:
                self.jobs.start()
            else:
                _ = self.indexer.models.text_encoder
        except Exception:  # a missing model fails each job with its reason instead
            logger.exception("model load failed", extra=self._extra("start", None))
        try:
            done = self._loop(burst=burst)
        finally:
            if self.jobs is not None:
                self.jobs.close()
        logger.info("worker %s stopped after %d job(s)", self.worker_id, done)
        return done

    def _loop(self, *, burst: bool) -> int:
        done = 0
        while not self.stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # the database is away: log, wait, retry; never die silently
                logger.exception("queue poll failed", extra=self._extra("poll", None))
                ran = False
            done += ran
            if not ran:
                if burst:
                    break
                self.stop.wait(self.settings.worker_poll_s)
        return done

    def _process(self, job: queue.ClaimedJob) -> None:
        if job.kind != INGEST:
            self._fail(job, f"unknown job kind {job.kind!r}", retry=False)
            return
        sha256 = str(job.payload.get("sha256", ""))
        name = str(job.payload.get("name") or sha256)
        try:
            path = fetch_upload(self.settings, sha256, job.payload)
            with path.open("rb"):
                pass  # readable here: the bytes are read where they are ingested
        except (ValueError, OSError) as exc:
            self._fail(job, f"upload {sha256[:12]} cannot be read: {exc}", retry=False)
            return
        try:
            outcome = self._ingest(path, name)
        except JobCrashedError as exc:  # the child's own error, already one line
            logger.warning("job %d crashed: %s", job.id, exc, extra=self._extra("ingest", job.id))
            self._fail(job, str(exc), retry=True)
            return
        except Exception as exc:  # anything unexpected is worth a retry with backoff
            logger.exception("job %d crashed", job.id, extra=self._extra("ingest", job.id))
            self._fail(job, f"{type(exc).__name__}: {exc}", retry=True)
            return
        if outcome.status == "failed":
            self._fail(job, outcome.reason or "ingestion failed", retry=False)
            return
        result = {
            "status": outcome.status,
            "passages": outcome.passages,
            "equations": outcome.equations,
            "timings": {k: round(v, 4) for k, v in outcome.timings.items()},
        }
        held = queue.complete(
            self.store,
            job_id=job.id,
            worker_id=self.worker_id,
            document_id=outcome.document_id,
            result=result,
        )
        logger.info(
            "job %d %s document %s%s",
            job.id,
            outcome.status,
            outcome.document_id,
            "" if held else " (lease lost; another worker owns the job now)",
            extra=self._extra("ingest", job.id, outcome.document_id),
        )

    def _ingest(self, path: Path, name: str) -> IngestOutcome:
        if self.jobs is not None:
            # Over the budget is a failed outcome (killed, never retried); a crash raises.
            return self.jobs.ingest_upload(path, name)
        if not self._synced:
            # A worker killed between a commit and an index save left an index behind.
            self.indexer.sync_indexes()
            self._synced = True
        return self.indexer.ingest_bytes(path.read_bytes(), name)

    def _fail(self, job: queue.ClaimedJob, error: str, *, retry: bool) -> None:
        status = queue.fail(
            self.store,
            job_id=job.id,
            worker_id=self.worker_id,
            error=error,
            retry=retry,
            backoff_s=self.settings.worker_backoff_s,
        )
        logger.warning(
            "job %d attempt %d: %s -> %s",
            job.id,
            job.attempts,
            error,
            status,
            extra=self._extra("fail", job.id),
        )


def start_background_worker(
    settings: Settings, *, indexer: Indexer | None = None
) -> tuple[threading.Thread, threading.Event]:
    """Run a :class:`Worker` in a daemon thread (the embedded mode of ``serve``)."""
    stop = threading.Event()
    worker = Worker(settings, indexer=indexer, stop=stop)
    thread = threading.Thread(target=worker.run, name="scipix-worker", daemon=True)
    thread.start()
    return thread, stop
