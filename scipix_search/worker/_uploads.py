"""Uploaded files, stored durably under ``<data_dir>/uploads/<sha256>`` while a job needs them.

The API writes the bytes (temporary file, fsync, rename) and only then commits the job row, so a
worker that sees the job always finds the file. Workers on other machines without that folder
(``upload_storage="database"``) get the bytes in the job row and write them to their own
``uploads/`` (:func:`stage_upload`, :func:`fetch_upload`).

An upload lives exactly as long as an active (queued or running) job names it. When its job
ends, :func:`release_upload` deletes it (a succeeded job's document already keeps its original
in the content store, ``store/_originals.py``), or adopts it as the original of a document that
has none (documents stored before originals were kept). :func:`sweep_uploads` removes what a
crash left behind: files no active job names, older than a day (younger ones may belong to an
upload whose job row is about to commit). Saving an upload with its job, and releasing one, hold
the same per-prefix file lock, so a release never deletes the file of a job being queued.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import logging
import os
import re
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from scipix_search.config import Settings
from scipix_search.exceptions import InputError
from scipix_search.ingest import magic
from scipix_search.store import Document, Job, Store, atomic_write, keep_original

logger = logging.getLogger(__name__)

UPLOADS = "uploads"
#: The payload key of an upload's bytes (base64) when ``upload_storage="database"``.
UPLOAD_DATA = "data"
#: Files in ``uploads/`` that no active job names are removed once this old (seconds).
ORPHAN_AGE_S = 86_400.0
#: Longest stored upload name, in characters (the suffix is kept when a name is cut).
MAX_NAME_CHARS = 200
_SHA = re.compile(r"^[0-9a-f]{64}$")
_ACTIVE = ("queued", "running")


def upload_path(settings: Settings, sha256: str) -> Path:
    """Where the upload with this sha256 lives (the name is checked to be a hex digest)."""
    if not _SHA.match(sha256):
        raise ValueError("not a sha256 hex digest")
    return settings.data_dir / UPLOADS / sha256


def safe_filename(raw: str | None) -> str:
    """The name an upload is stored, logged and shown under.

    Control characters (NUL, newlines, escapes) are refused rather than stripped: no real file
    name has them, and a client that sends them is probing. Format characters (bidirectional
    overrides, zero-width joiners) are dropped, since they only change how a name looks. Folders
    (``/`` or ``\\``) are dropped, leading dots and spaces too (no ``..``, no hidden names), and a
    name longer than :data:`MAX_NAME_CHARS` is cut before its suffix.

    Raises:
        InputError: the name holds a control character (the message does not repeat it).
    """
    name = raw or ""
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise InputError("the file name contains control characters")
    name = "".join(c for c in name if unicodedata.category(c) != "Cf")
    name = re.split(r"[/\\]", name)[-1].lstrip(". ").rstrip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        keep = f"{dot}{suffix}" if dot and stem and len(suffix) <= 16 else ""
        name = name[: MAX_NAME_CHARS - len(keep)] + keep
    return name or "upload"


@contextmanager
def upload_lock(settings: Settings, sha256: str) -> Iterator[None]:
    """An inter-process lock over the uploads whose sha256 starts like this one's.

    One lock file per two-hex-digit prefix: uploads of other contents rarely wait on each
    other, and the folder never holds more than 256 lock files.
    """
    folder = settings.data_dir / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".lock-{sha256[:2]}", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def save_upload(settings: Settings, sha256: str, data: bytes) -> Path:
    """Write ``data`` atomically and durably; a file already there is kept (same content)."""
    path = upload_path(settings, sha256)
    if path.is_file() and path.stat().st_size == len(data):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, sync_dir=True)
    return path


def stage_upload(
    settings: Settings, sha256: str, data: bytes, payload: dict[str, Any]
) -> dict[str, Any]:
    """Put an upload where its worker will find it; returns the job payload that says where.

    ``upload_storage="folder"`` writes it under ``uploads/`` (the API and its workers share the
    data folder); ``"database"`` carries the bytes in the job row itself (base64 in the JSON
    payload), for workers on other machines. *Why in the payload and not a table of their
    own*: it needs no migration and lives exactly as long as the job's need for it (it is
    dropped when the job ends); an upload is at most ``max_upload_bytes`` (50 MB).
    """
    if settings.upload_storage == "database":
        return {**payload, UPLOAD_DATA: base64.b64encode(data).decode("ascii")}
    save_upload(settings, sha256, data)
    return payload


def fetch_upload(settings: Settings, sha256: str, payload: dict[str, Any]) -> Path:
    """The file of a job's upload on this machine: carried bytes are written locally first.

    Raises:
        ValueError: the name is no sha256, or the carried bytes are damaged (not base64, or
            not the content the job names).
        OSError: the file cannot be written or found.
    """
    carried = payload.get(UPLOAD_DATA)
    if carried is None:
        return upload_path(settings, sha256)
    data = base64.b64decode(str(carried), validate=True)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError("the bytes carried by the job are not the upload it names")
    return save_upload(settings, sha256, data)


def without_upload_data(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload of an ended job: the carried bytes dropped, what the job said kept."""
    return {k: v for k, v in (payload or {}).items() if k != UPLOAD_DATA}


def remove_upload(settings: Settings, sha256: str) -> None:
    upload_path(settings, sha256).unlink(missing_ok=True)


def _named_by_active_job(store: Store, sha256: str) -> bool:
    with store.session() as session:
        if session.scalar(select(Job.id).where(Job.active_sha256 == sha256).limit(1)):
            return True
        # Jobs queued before migration 0002 name their upload only in the payload.
        legacy = session.scalars(
            select(Job.payload).where(Job.status.in_(_ACTIVE), Job.active_sha256.is_(None))
        )
        return any((payload or {}).get("sha256") == sha256 for payload in legacy)


def _suffix(head: bytes, kind: str) -> str:
    found = magic(head)
    if found is not None:
        return {"gzip": ".tar.gz", "jpeg": ".jpg"}.get(found, f".{found}")
    return {"tex": ".tex", "collection": ".txt"}.get(kind, ".bin")


def _adopt(store: Store, sha256: str, path: Path) -> bool:
    """Make the upload the original of its document when that document has none."""
    with store.session() as session:
        kind = session.scalar(
            select(Document.kind).where(Document.sha256 == sha256, Document.stored_file.is_(None))
        )
    if kind is None:
        return False
    data = path.read_bytes()
    key = keep_original(store.settings, data, _suffix(data[:1024], kind))
    with store.session() as session:
        session.execute(
            update(Document)
            .where(Document.sha256 == sha256, Document.stored_file.is_(None))
            .values(stored_file=key)
        )
    logger.info("kept upload %s as its document's original", sha256[:12])
    return True


def release_upload(store: Store, sha256: str) -> bool:
    """The job of this upload ended: adopt or delete its file unless another active job names it.

    Returns:
        True when the file left ``uploads/`` (or was not there).
    """
    if not _SHA.match(sha256):
        return False
    settings = store.settings
    with upload_lock(settings, sha256):
        if _named_by_active_job(store, sha256):
            return False
        path = upload_path(settings, sha256)
        try:
            if path.is_file():
                _adopt(store, sha256, path)
        except OSError:
            logger.warning("could not keep upload %s as an original", sha256[:12], exc_info=True)
        path.unlink(missing_ok=True)
    return True


def sweep_uploads(store: Store, *, max_age_s: float = ORPHAN_AGE_S) -> int:
    """Remove uploads and temporary files older than ``max_age_s`` that no active job names.

    Returns:
        How many files left ``uploads/``.
    """
    folder = store.settings.data_dir / UPLOADS
    if not folder.is_dir():
        return 0
    cutoff = time.time() - max_age_s
    removed = 0
    for entry in os.scandir(folder):
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat().st_mtime > cutoff:
                continue
            if _SHA.match(entry.name):
                removed += release_upload(store, entry.name)
            elif entry.name.endswith(".tmp"):  # an atomic write that a crash interrupted
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
        except OSError:
            logger.warning("could not sweep an upload", exc_info=True)
    if removed:
        logger.info("removed %d orphaned upload(s)", removed, extra={"action": "sweep"})
    return removed
