"""Original files kept by content: ``<data_dir>/files/<aa>/<sha256><suffix>``.

Every ingested document keeps the file it was read from (an API upload and a CLI ingest
alike), named by the sha256 of its bytes. Why by content rather than by name: a name says
nothing about the bytes (two ``paper.pdf`` in two folders, a file edited after ingestion), and
a name looked up in the server's working directory once served an unrelated PDF. A content name
is also its own deduplication (the same bytes are stored once, whatever they were called) and
its own integrity check. The two-hex-digit folders keep any one folder to 1/256 of the files.

The document row records the key (the path relative to the data folder), so moving the data
folder moves the originals with it, and the page-image endpoint opens only
:func:`original_path` of that key: a key that is not exactly of this form is refused, so no
stored value can point outside the content store.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from scipix_search.config import Settings
from scipix_search.store._files import atomic_write

logger = logging.getLogger(__name__)

FILES = "files"
_SUFFIX = re.compile(r"^(\.[a-z0-9]{1,8}){0,2}$")
_KEY = re.compile(r"^files/([0-9a-f]{2})/([0-9a-f]{64})((?:\.[a-z0-9]{1,8}){0,2})$")


def original_key(sha256: str, suffix: str) -> str:
    """The content-store key of bytes with this sha256 (``files/ab/ab12….pdf``).

    Raises:
        ValueError: ``sha256`` is not a lowercase hex digest or ``suffix`` is not like ``.pdf``.
    """
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    if not _SUFFIX.match(suffix):
        raise ValueError(f"not a file suffix: {suffix!r}")
    return f"{FILES}/{sha256[:2]}/{sha256}{suffix}"


def original_path(settings: Settings, key: str) -> Path:
    """Where the original of ``key`` lives, for a key :func:`original_key` could have made.

    Raises:
        ValueError: the key is of another form (so a stored value never names another file).
    """
    match = _KEY.match(key)
    if match is None or not match.group(2).startswith(match.group(1)):
        raise ValueError("not a content-store key")
    return settings.data_dir / key


def keep_original(settings: Settings, data: bytes, suffix: str) -> str:
    """Store ``data`` by content (atomically, fsync'd; once per content) and return its key."""
    key = original_key(hashlib.sha256(data).hexdigest(), suffix)
    path = settings.data_dir / key
    if path.is_file() and path.stat().st_size == len(data):
        return key  # atomic writes leave whole files only: same name and size, same bytes
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, sync_dir=True)
    return key


def remove_original(settings: Settings, key: str) -> None:
    """Delete the original of ``key`` (the caller checked that no document still names it)."""
    try:
        original_path(settings, key).unlink(missing_ok=True)
    except ValueError:
        logger.warning("not removing a stored file with a malformed key")
