"""Uploads carried in the job row (``upload_storage="database"``): workers on other machines
write them to their own folder, and an ended job drops the bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from scipix_search.config import Settings
from scipix_search.store import Job, Store
from scipix_search.worker import (
    INGEST,
    claim,
    complete,
    enqueue_once,
    fetch_upload,
    stage_upload,
    upload_path,
)

DATA = b"\\documentclass{article}\\begin{document}$a+b$\\end{document}\n"
SHA = hashlib.sha256(DATA).hexdigest()


def test_upload_travels_in_the_job_row_to_another_folder(tmp_path: Path) -> None:
    api = Settings(data_dir=tmp_path / "api", upload_storage="database")
    url = api.resolved_database_url
    worker = Settings(data_dir=tmp_path / "worker", database_url=url)
    store = Store(api)
    payload = stage_upload(api, SHA, DATA, {"sha256": SHA, "name": "a.tex"})
    assert not upload_path(api, SHA).exists(), "the API wrote the upload to its own folder"
    enqueue_once(store, kind=INGEST, sha256=SHA, payload=payload)

    worker_store = Store(worker)
    job = claim(worker_store, worker_id="w", lease_s=60)
    assert job is not None
    path = fetch_upload(worker, SHA, job.payload)
    assert path.read_bytes() == DATA and path.is_relative_to(worker.data_dir)

    assert complete(worker_store, job_id=job.id, worker_id="w", document_id=None, result={})
    with store.session() as session:
        ended = session.get(Job, job.id)
        assert ended is not None and "data" not in ended.payload
    assert not path.exists(), "the worker kept the upload after its job ended"


def test_damaged_carried_upload_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "worker")
    other = stage_upload(
        Settings(data_dir=tmp_path / "api", upload_storage="database"), SHA, DATA + b"x", {}
    )
    with pytest.raises(ValueError, match="not the upload"):
        fetch_upload(settings, SHA, other)
    with pytest.raises(ValueError):
        fetch_upload(settings, SHA, {"data": "not base64!"})
