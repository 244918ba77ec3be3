"""Uploads: safe names, one active job per content under concurrency, files released when
their job ends (deleted, or adopted as a document's original), orphans swept."""

from __future__ import annotations

import hashlib
import os
import threading
import time

import pytest

from scipix_search.config import Settings
from scipix_search.exceptions import InputError
from scipix_search.store import Document, Job, Store, original_path
from scipix_search.worker import (
    FAILED,
    QUEUED,
    claim,
    complete,
    enqueue_once,
    fail,
    reap_expired,
    release_upload,
    safe_filename,
    save_upload,
    sweep_uploads,
    upload_path,
)

PDF = b"%PDF-1.7\n% an upload's bytes\n%%EOF\n"
SHA = hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("paper.pdf", "paper.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\x.pdf", "x.pdf"),
        ("..", "upload"),
        ("", "upload"),
        (None, "upload"),
        ("  .hidden.tex", "hidden.tex"),
        ("evil\u202efdp.exe", "evilfdp.exe"),  # a right-to-left override only changes the look
        ("Lösung für α.pdf", "Lösung für α.pdf"),
    ],
)
def test_safe_filename(raw: str | None, expected: str) -> None:
    assert safe_filename(raw) == expected


@pytest.mark.parametrize("raw", ["a\x00.pdf", "a\n.pdf", "x\x1b[31m.pdf", "tab\there.tex", "\x7f"])
def test_safe_filename_refuses_control_characters_without_echoing_them(raw: str) -> None:
    with pytest.raises(InputError) as info:
        safe_filename(raw)
    assert not any(c in str(info.value) for c in "\x00\n\x1b\t\x7f")


def test_safe_filename_caps_the_length_and_keeps_the_suffix() -> None:
    name = safe_filename("a" * 5000 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")
    assert len(safe_filename("b" * 5000)) == 200


def _queue(store: Store, sha: str = SHA, data: bytes = PDF) -> tuple[int, bool]:
    save_upload(store.settings, sha, data)
    job, created = enqueue_once(
        store, kind="ingest", sha256=sha, payload={"sha256": sha, "name": "a.pdf"}, max_attempts=2
    )
    return job.id, created


def test_enqueue_once_under_concurrency_makes_one_job(db_settings: Settings) -> None:
    store = Store(db_settings)
    barrier = threading.Barrier(6)
    results: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def upload() -> None:
        barrier.wait()
        got = _queue(store)
        with lock:
            results.append(got)

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6
    assert len({job_id for job_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    with store.session() as session:
        assert session.query(Job).count() == 1


def test_failed_job_releases_its_upload_only_after_the_last_attempt(db_settings: Settings) -> None:
    store = Store(db_settings)
    job_id, _ = _queue(store)
    assert claim(store, worker_id="w", lease_s=30) is not None
    status = fail(store, job_id=job_id, worker_id="w", error="boom", retry=True, backoff_s=0)
    assert status == QUEUED and upload_path(db_settings, SHA).is_file()
    assert claim(store, worker_id="w", lease_s=30) is not None
    status = fail(store, job_id=job_id, worker_id="w", error="boom", retry=True, backoff_s=0)
    assert status == FAILED and not upload_path(db_settings, SHA).exists()
    # The content may be queued again now: the failed job no longer holds its hash.
    again, created = _queue(store)
    assert created and again != job_id


def test_expired_last_attempt_releases_its_upload(db_settings: Settings) -> None:
    store = Store(db_settings)
    _queue(store)
    for _ in range(2):
        assert claim(store, worker_id="dead", lease_s=0.05) is not None
        time.sleep(0.1)
    assert reap_expired(store) == 1
    assert not upload_path(db_settings, SHA).exists()


def test_succeeded_job_deletes_its_upload_or_adopts_it_as_the_original(
    db_settings: Settings,
) -> None:
    store = Store(db_settings)
    # A document stored before originals were kept: its upload becomes its original.
    with store.session() as session:
        session.add(Document(sha256=SHA, source="a.pdf", kind="pdf", page_count=1))
    job_id, _ = _queue(store)
    assert claim(store, worker_id="w", lease_s=30) is not None
    assert complete(store, job_id=job_id, worker_id="w", document_id=None, result={})
    assert not upload_path(db_settings, SHA).exists()
    with store.session() as session:
        document = session.query(Document).one()
        assert document.stored_file is not None
        assert original_path(db_settings, document.stored_file).read_bytes() == PDF
        assert document.stored_file.endswith(".pdf")


def test_release_keeps_an_upload_another_active_job_names(db_settings: Settings) -> None:
    store = Store(db_settings)
    _queue(store)
    assert not release_upload(store, SHA)
    assert upload_path(db_settings, SHA).is_file()


def _age(path: os.PathLike[str], seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_sweep_removes_old_orphans_only(settings: Settings) -> None:
    store = Store(settings)
    old_orphan = save_upload(settings, "a" * 64, b"left by a crash")
    young_orphan = save_upload(settings, "b" * 64, b"its job is being committed")
    _queue(store)  # old, but its job is still queued
    stray = settings.data_dir / "uploads" / ".x.tmp"
    stray.write_bytes(b"half a write")
    for path in (old_orphan, upload_path(settings, SHA), stray):
        _age(path, 2 * 86_400)
    assert sweep_uploads(store) == 2
    assert not old_orphan.exists() and not stray.exists()
    assert young_orphan.is_file() and upload_path(settings, SHA).is_file()
