"""Uploaded files, stored durably under ``<data_dir>/uploads/<sha256>`` before a job names them.

The API writes the bytes (temporary file, fsync, rename) and only then commits the job row, so a
worker that sees the job always finds the file. Workers on other machines must mount the same
data folder; they need it anyway for the FAISS indexes.
"""

from __future__ import annotations

from pathlib import Path

from scipix_search.config import Settings
from scipix_search.store import atomic_write

UPLOADS = "uploads"


def upload_path(settings: Settings, sha256: str) -> Path:
    """Where the upload with this sha256 lives (the name is checked to be a hex digest)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return settings.data_dir / UPLOADS / sha256


def save_upload(settings: Settings, sha256: str, data: bytes) -> Path:
    """Write ``data`` atomically and durably; a file already there is kept (same content)."""
    path = upload_path(settings, sha256)
    if path.is_file() and path.stat().st_size == len(data):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, sync_dir=True)
    return path


def remove_upload(settings: Settings, sha256: str) -> None:
    upload_path(settings, sha256).unlink(missing_ok=True)
