"""SIGKILL a worker in the middle of a paper; another finishes the job once the lease expires."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import _fresh_postgres_url, postgres_url_or_skip
from tests.e2e._live import ROOT, LiveServer, start_server, start_worker, wait_for_job
from tests.factories import LOREM, make_pdf

pytestmark = [pytest.mark.model, pytest.mark.slow]

LEASE_S = 3


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    url = _fresh_postgres_url(postgres_url_or_skip()) if request.param == "postgres" else None
    live = start_server(
        tmp_path / "data",
        url,
        SCIPIX_EMBEDDED_WORKER="false",
        SCIPIX_WORKER_LEASE_S=str(LEASE_S),
        SCIPIX_WORKER_POLL_S="0.2",
        SCIPIX_WORKER_BACKOFF_S="0.5",
    )
    yield live
    live.stop()


# Large enough that ingesting it takes several seconds even on a quiet machine (20 pages once
# finished inside the 1.5 s before the kill, and the test failed for the wrong reason).
PAGES = 100


def _big_paper(pages: int = PAGES) -> bytes:
    return make_pdf(
        [[f"{LOREM} Section {p}, paragraph {j}." for j in range(5)] for p in range(pages)],
        title="A Long Paper About Spectral Methods",
    )


def _wait_status(client: httpx.Client, job_id: int, status: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] == status:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never became {status}: {job}")


def test_worker_sigkill_midway_then_other_worker_completes(server: LiveServer) -> None:
    client = server.client()
    answer = client.post(
        "/v1/documents", files={"file": ("long.pdf", _big_paper(), "application/pdf")}
    )
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job"]["id"]
    log = server.data_dir.parent / "workers.log"

    first = start_worker(server.env, log, "--id", "first")
    try:
        running = _wait_status(client, job_id, "running")
        assert running["attempts"] == 1
        time.sleep(1.5)  # loading the model and parsing/embedding the paper
        assert client.get("/v1/documents").json()["count"] == 0, "paper finished too early"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    assert client.get(f"/v1/jobs/{job_id}").json()["status"] == "running"  # lease still held

    second = start_worker(server.env, log, "--id", "second")
    try:
        # The second worker can only claim after the first one's lease has expired.
        job = wait_for_job(client, job_id, timeout=120)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=30)
        except subprocess.TimeoutExpired:
            second.kill()
            second.wait(timeout=10)
    assert job["status"] == "succeeded", (job, log.read_text()[-3000:])
    assert job["attempts"] == 2
    documents = client.get("/v1/documents").json()
    assert documents["count"] == 1
    detail = client.get(f"/v1/documents/{job['document_id']}").json()
    assert detail["page_count"] == PAGES
    assert detail["passage_count"] == job["result"]["passages"] > PAGES

    stats = subprocess.run(
        [sys.executable, "-m", "scipix_search.cli", "stats", "--json"],
        env=server.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(stats.stdout)
    assert report["database"]["documents"] == 1
    assert report["indexes"]["passages"]["vectors"] == report["database"]["passages"]
    hits = client.get("/v1/search/documents", params={"q": "spectral methods section 7"}).json()
    assert hits["data"] and hits["data"][0]["document_id"] == job["document_id"]
    log_text = log.read_text()
    assert "claimed job" in log_text and "second" in log_text
