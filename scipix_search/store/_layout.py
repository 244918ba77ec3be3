"""One index folder on disk: generations, the manifest that commits them, and the clean-up.

A folder holds generations ``index-<n>.faiss`` and one ``manifest.json`` that names the current
generation with its metadata (dim, metric, encoder, count) and the file's size and CRC-32. A save
writes the new generation's file (temporary file, fsync, rename, fsync of the folder), then
replaces the manifest the same way. The manifest's rename is the commit: a reader sees the old
generation or the new one, never a mix, and a process killed at any step leaves the previous
generation current. Files of other generations and temporary files are deleted after the commit,
and by :func:`clean_folder` (under the index lock) before a store checks an index.

*Why a manifest and not two renamed files*: earlier versions wrote ``index.faiss`` and
``meta.json``, each renamed into place, one after the other; a kill between the renames left an
index of 169 vectors beside a ``meta.json`` that said 100, and the server refused to start. Those
folders are still read (:func:`read_legacy`), and their first save migrates them.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import signal
import tempfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from scipix_search.exceptions import (
    IndexCorruptError,
    IndexStoreError,
    ReadOnlyStoreError,
    ScipixError,
    StorageFullError,
)

logger = logging.getLogger(__name__)

#: The two vector indexes of a data folder, one sub-folder each under ``indexes/``.
KINDS = ("passages", "equations")
MANIFEST_FILE = "manifest.json"
LEGACY_INDEX_FILE = "index.faiss"
LEGACY_META_FILE = "meta.json"
FORMAT_VERSION = 2
_GENERATION = re.compile(r"^index-(\d+)\.faiss$")
_CHUNK = 1 << 22

#: Test hook: a process whose environment names one of the steps below SIGKILLs itself there, so
#: the fault tests kill a real process mid-save instead of pretending to. Read from the
#: environment at each step (not from Settings): it is no setting, and costs one dict lookup.
KILL_AT_ENV = "SCIPIX_TEST_KILL_AT"
SAVE_STEPS = (
    "save:begin",
    "save:index-half-written",
    "save:index-written",
    "save:index-renamed",
    "save:manifest-half-written",
    "save:manifest-written",
    "save:committed",
    "save:cleaned",
)
#: Steps of ``reindex`` before its save, and of an ingestion between its rows and its vectors.
REBUILD_STEPS = ("rebuild:begin", "rebuild:filled")
ADD_STEPS = ("store:rows-committed",)


_reached: dict[str, int] = {}


def fault_point(step: str) -> None:
    """Die here, as a power cut or ``kill -9`` would, when the test hook names ``step``.

    ``SCIPIX_TEST_KILL_AT=save:committed`` kills at the first time the step is reached,
    ``save:committed#2`` at the second (the second index an ingestion saves).
    """
    wanted = os.environ.get(KILL_AT_ENV)
    if not wanted or not wanted.startswith(step):
        return
    name, _, nth = wanted.partition("#")
    if name != step:
        return
    _reached[step] = _reached.get(step, 0) + 1
    if _reached[step] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True, slots=True)
class Manifest:
    """What ``manifest.json`` says: the current generation's file and what it holds."""

    generation: int
    file: str
    size: int
    crc32: int
    dim: int
    metric: str
    encoder: str
    count: int
    version: int = FORMAT_VERSION


def storage_error(exc: OSError, what: str) -> ScipixError:
    """The package error for an ``OSError`` met while writing ``what`` (no path in the text).

    A full disk and a read-only folder get their own classes, so that the API can answer 507 or
    503 and the CLI one line; anything else is an :class:`IndexStoreError`.
    """
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFullError(f"cannot write {what}: no space left on device", errno=exc.errno)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyStoreError(f"cannot write {what}: {reason.lower()}", errno=exc.errno)
    return IndexStoreError(f"cannot write {what}: {reason.lower()}", errno=exc.errno)


def _fsync_folder(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, data: bytes, step: str) -> None:
    """Temporary file, fsync, rename over ``path``, fsync of the folder.

    ``step`` names the fault points (``<step>-half-written``, ``<step>-written``).
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            half = len(data) // 2
            handle.write(data[:half])
            handle.flush()
            fault_point(f"{step}-half-written")
            handle.write(data[half:])
            handle.flush()
            os.fsync(handle.fileno())
        fault_point(f"{step}-written")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)  # a full disk still allows an unlink
        raise
    _fsync_folder(path.parent)


def read_manifest(directory: Path) -> Manifest | None:
    """The folder's manifest, or ``None`` when it has none (never saved, or an older layout).

    Raises:
        IndexCorruptError: the manifest cannot be read or does not describe an index.
    """
    path = directory / MANIFEST_FILE
    try:
        raw = path.read_text()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexCorruptError(
            f"{directory.name} index: cannot read its manifest ({exc.strerror})",
            directory=directory,
        ) from exc
    try:
        manifest = Manifest(**json.loads(raw))
    except (ValueError, TypeError) as exc:
        raise IndexCorruptError(
            f"{directory.name} index: its manifest is damaged ({exc})", directory=directory
        ) from exc
    if not _GENERATION.match(manifest.file):
        raise IndexCorruptError(
            f"{directory.name} index: its manifest names no index file", directory=directory
        )
    return manifest


def read_generation(directory: Path, manifest: Manifest) -> BinaryIO:
    """The manifest's generation, open for reading at its start, checked against its size and
    CRC-32.

    The file is checked in chunks and then read once more by FAISS from the same open file, so a
    load holds the index in memory once (reading it whole first held it twice), and a newer
    generation deleting this one in between does not matter: the open file stays readable.
    The caller closes it.

    Raises:
        FileNotFoundError: the file is gone (a newer generation replaced it since the manifest
            was read: read the manifest again).
        IndexCorruptError: the file cannot be read, or is truncated or altered.
    """
    try:
        handle = (directory / manifest.file).open("rb")
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise IndexCorruptError(
            f"{directory.name} index: cannot read {manifest.file} ({exc.strerror})",
            directory=directory,
        ) from exc
    try:
        size, crc = 0, 0
        while chunk := handle.read(_CHUNK):
            size += len(chunk)
            crc = zlib.crc32(chunk, crc)
        if size != manifest.size:
            raise IndexCorruptError(
                f"{directory.name} index: {manifest.file} has {size} bytes, "
                f"its manifest says {manifest.size}",
                directory=directory,
            )
        if crc != manifest.crc32:
            raise IndexCorruptError(
                f"{directory.name} index: {manifest.file} does not match its checksum",
                directory=directory,
            )
        handle.seek(0)
    except OSError as exc:
        handle.close()
        raise IndexCorruptError(
            f"{directory.name} index: cannot read {manifest.file} ({exc.strerror})",
            directory=directory,
        ) from exc
    except BaseException:
        handle.close()
        raise
    return handle


def read_legacy(directory: Path) -> tuple[bytes, dict[str, object]] | None:
    """The index bytes and ``meta.json`` of a folder written by an earlier version, if any.

    Raises:
        IndexCorruptError: one of the two files is missing or unreadable.
    """
    index_path, meta_path = directory / LEGACY_INDEX_FILE, directory / LEGACY_META_FILE
    if not index_path.exists() and not meta_path.exists():
        return None
    try:
        data = index_path.read_bytes()
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(
            f"{directory.name} index (older layout): cannot read it ({exc})", directory=directory
        ) from exc
    if not isinstance(meta, dict):
        raise IndexCorruptError(
            f"{directory.name} index (older layout): meta.json is no object", directory=directory
        )
    return data, meta


def _generations(directory: Path) -> dict[int, Path]:
    found: dict[int, Path] = {}
    for path in directory.iterdir():
        match = _GENERATION.match(path.name)
        if match:
            found[int(match.group(1))] = path
    return found


def commit_generation(directory: Path, data: bytes, meta: dict[str, object]) -> Manifest:
    """Write ``data`` as a new generation and commit it; the old one stays until the commit.

    Call it under the folder's index lock. ``meta`` holds dim, metric, encoder and count.

    Raises:
        StorageFullError: no space left (the previous generation is still current).
        ReadOnlyStoreError: the folder cannot be written.
        IndexStoreError: another write error.
    """
    fault_point("save:begin")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        try:
            current = read_manifest(directory)
        except IndexCorruptError:
            current = None  # a damaged manifest is replaced by this commit
        on_disk = _generations(directory)
        generation = max([current.generation if current else 0, *on_disk]) + 1
        name = f"index-{generation:06d}.faiss"
        manifest = Manifest(
            generation=generation,
            file=name,
            size=len(data),
            crc32=zlib.crc32(data),
            dim=int(str(meta["dim"])),
            metric=str(meta["metric"]),
            encoder=str(meta["encoder"]),
            count=int(str(meta["count"])),
        )
        _write_durably(directory / name, data, "save:index")
        fault_point("save:index-renamed")
        _write_durably(
            directory / MANIFEST_FILE, json.dumps(asdict(manifest)).encode(), "save:manifest"
        )
    except OSError as exc:
        raise storage_error(exc, f"the {directory.name} index") from exc
    fault_point("save:committed")
    clean_folder(directory, manifest)
    fault_point("save:cleaned")
    return manifest


def clean_folder(directory: Path, manifest: Manifest | None = None) -> list[str]:
    """Delete what no commit refers to: other generations, temp files, a migrated old layout.

    Call it under the folder's index lock (a writer's temporary file is not yet named by any
    manifest). With no ``manifest`` the folder's own is read; a folder without a readable
    manifest keeps its generation files (a repair may still want to know they were there).
    Errors are logged, not raised: clean-up never fails a save or an open.

    Returns:
        The names deleted.
    """
    if manifest is None:
        try:
            manifest = read_manifest(directory)
        except IndexCorruptError:
            manifest = None
    removed: list[str] = []
    try:
        names = [p.name for p in directory.iterdir()]
    except OSError:
        return removed
    for name in names:
        stale = name.endswith(".tmp") and name.startswith(".")
        if manifest is not None:
            stale = stale or (bool(_GENERATION.match(name)) and name != manifest.file)
            stale = stale or name in (LEGACY_INDEX_FILE, LEGACY_META_FILE)
        if not stale:
            continue
        try:
            (directory / name).unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            logger.debug("cannot delete %s: %s", name, exc.strerror)
            continue
        removed.append(name)
    if removed:
        logger.debug("%s index: deleted %s", directory.name, ", ".join(sorted(removed)))
    return removed
