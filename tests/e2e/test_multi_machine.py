"""Several machines on one PostgreSQL, no shared folder, on loopback.

Two workers and two API processes, each with its own data folder; workers write only to the
database (``SCIPIX_WORKER_WRITES_INDEX=false``) and get the uploads from it
(``SCIPIX_UPLOAD_STORAGE=database``); each API process builds its indexes from the database and
catches up. One worker is SIGKILLed in the middle of a job, at the worst moment: right after its
document's rows are committed, before the job is marked done.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from scipix_search.api.testing import server_env
from tests.conftest import _fresh_postgres_url, postgres_url_or_skip
from tests.e2e._live import LiveServer, start_server, start_worker

logger = logging.getLogger(__name__)

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.postgres]

DOCUMENTS = 40
LEASE_S = 3
#: The worker to kill dies at its first stored document, between the rows and the job's end
#: (the first: under load the other worker may take most jobs before this one has loaded).
KILL_AT = "store:rows-committed"
WORDS = [
    f"{a}{b}"
    for a in ("zor", "quen", "blav", "mip", "tavr", "lud", "ferr", "gosk")
    for b in ("ax", "ini", "umo", "elt", "yra")
]


def _paper(i: int) -> bytes:
    """A small LaTeX paper with two equations and a word no other paper has."""
    word = WORDS[i]
    return rf"""\documentclass{{article}}
\title{{Note {i} on the {word} operator}}
\begin{{document}}
\maketitle
The {word} operator acts on a field of rank {i}; its defining relation follows.
\begin{{equation}}
\frac{{x^{{{i + 2}}}}}{{y+{i + 3}}}=\sqrt{{z}}
\end{{equation}}
A second identity holds for the {word} weights.
\begin{{equation}}
\sum_{{n=0}}^{{{i + 2}}} w_{{n}}={i + 7}
\end{{equation}}
\end{{document}}
""".encode()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[dict[str, Any]]:
    url = _fresh_postgres_url(postgres_url_or_skip())
    common = {
        "SCIPIX_WORKER_WRITES_INDEX": "false",
        "SCIPIX_UPLOAD_STORAGE": "database",
        "SCIPIX_EMBEDDED_WORKER": "false",
        "SCIPIX_INDEX_REFRESH_S": "0.5",
        "SCIPIX_WORKER_LEASE_S": str(LEASE_S),
        "SCIPIX_WORKER_POLL_S": "0.2",
        "SCIPIX_WORKER_BACKOFF_S": "0.5",
        # The kill must hit the worker itself, not a job child that the worker would survive.
        "SCIPIX_JOB_ISOLATION": "thread",
    }
    log = tmp_path / "workers.log"
    workers: list[subprocess.Popen[bytes]] = []
    servers: list[LiveServer] = []
    try:
        for name, extra in (("doomed", {"SCIPIX_TEST_KILL_AT": KILL_AT}), ("steady", {})):
            env = server_env(tmp_path / f"worker-{name}", url, **common, **extra)
            workers.append(start_worker(env, log, "--id", name))
        # All four start at once, as on four machines (the schema is migrated by one of them).
        with ThreadPoolExecutor(2) as pool:
            starting = [
                pool.submit(start_server, tmp_path / f"api-{n}", url, **common) for n in "ab"
            ]
            servers = [future.result() for future in starting]
        yield {"workers": workers, "servers": servers, "log": log, "tmp": tmp_path}
    finally:
        for server in servers:
            server.stop()
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()


def _answers(client: httpx.Client) -> tuple[Any, Any]:
    """What one API process answers to an equation query and a words query (ids and scores)."""
    equations = client.post(
        "/v1/search/equations", json={"latex": r"\frac{x^{41}}{y+42}=\sqrt{z}", "k": 100}
    )
    passages = client.get("/v1/search/documents", params={"q": f"{WORDS[-1]} operator", "k": 50})
    assert equations.status_code == 200, equations.text
    assert passages.status_code == 200, passages.text
    return equations.json()["data"], passages.json()["data"]


def _wait_all(client: httpx.Client, job_ids: list[int], timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        jobs = [client.get(f"/v1/jobs/{j}").json() for j in job_ids]
        if all(job["status"] in ("succeeded", "failed") for job in jobs):
            return jobs
        if time.monotonic() > deadline:
            pending = [job for job in jobs if job["status"] not in ("succeeded", "failed")]
            raise AssertionError(f"{len(pending)} job(s) not done: {pending[:3]}")
        time.sleep(0.3)


def test_two_workers_two_apis_one_database_no_shared_folder(cluster: dict[str, Any]) -> None:
    doomed, steady = cluster["workers"]
    api_a, api_b = cluster["servers"]
    a, b = api_a.client(), api_b.client()

    job_ids = []
    for i in range(DOCUMENTS):
        client = a if i % 2 else b  # uploads land on both API processes
        answer = client.post(
            "/v1/documents", files={"file": (f"note{i}.tex", _paper(i), "application/x-tex")}
        )
        assert answer.status_code == 202, answer.text
        job_ids.append(answer.json()["job"]["id"])

    jobs = _wait_all(a, job_ids, timeout=120)
    seen_done = time.time()
    log = cluster["log"].read_text(errors="replace")[-3000:]
    assert doomed.wait(timeout=5) == -signal.SIGKILL, log
    assert steady.poll() is None, log

    # Every document stored once; the killed job was finished by the other worker.
    assert all(job["status"] == "succeeded" for job in jobs), [j for j in jobs if j["error"]]
    assert any(job["attempts"] == 2 for job in jobs), "no job was taken over after the kill"
    document_ids = {job["document_id"] for job in jobs}
    assert len(document_ids) == DOCUMENTS
    assert a.get("/v1/documents").json()["count"] == DOCUMENTS

    # Both API processes answer alike, with every paper indexed, within 5 s of the last job.
    last_job = max(datetime.fromisoformat(job["updated_at"]).timestamp() for job in jobs)
    deadline = time.monotonic() + 10
    while True:
        first, second = _answers(a), _answers(b)
        complete = {h["document_id"] for h in first[0]} == document_ids
        if first == second and complete:
            agreed = time.time()
            break
        assert time.monotonic() < deadline, (api_a.log_tail(), api_b.log_tail())
        time.sleep(0.1)
    logger.info("both API processes agreed %.2f s after the last job", agreed - last_job)
    assert agreed - last_job <= 5.0, f"agreed {agreed - last_job:.1f} s after the last job"
    assert agreed - seen_done <= 5.0
    equations, passages = first
    assert equations[0]["latex"].replace(" ", "") == r"\frac{x^{41}}{y+42}=\sqrt{z}"
    assert passages[0]["title"] == f"Note {DOCUMENTS - 1} on the {WORDS[-1]} operator"

    # No folder was shared: workers kept no index, API processes no upload.
    tmp = cluster["tmp"]
    assert not list(tmp.glob("worker-*/indexes/*/manifest.json"))
    assert not [p for p in tmp.glob("api-*/uploads/*") if not p.name.startswith(".")]
    assert len(list(tmp.glob("api-*/indexes/*/manifest.json"))) == 4

    # A deletion through one API process leaves both answering alike without it.
    gone = next(job["document_id"] for job in jobs if job["result"]["equations"])
    assert b.delete(f"/v1/documents/{gone}").status_code == 204
    deadline = time.monotonic() + 5
    while True:
        first, second = _answers(a), _answers(b)
        if first == second and gone not in {h["document_id"] for h in first[0]}:
            break
        assert time.monotonic() < deadline, "the deletion did not reach both API processes"
        time.sleep(0.1)
