"""One index folder on disk: generations, the manifest that commits them, and the clean-up.

A folder holds generations ``index-<n>.faiss`` and one ``manifest.json`` that names the current
generation with its metadata (dim, metric, encoder, count) and the file's size and CRC-32. A save
writes the new generation's file (temporary file, fsync, rename, fsync of the folder), then
replaces the manifest the same way. The manifest's rename is the commit: a reader sees the old
generation or the new one, never a mix, and a process killed at any step leaves the previous
generation current. Files of other generations and temporary files are deleted after the commit,
and by :func:`clean_folder` (under the index lock) before a store checks an index.

Between two generations, a save of new vectors only can be a *delta*: a file
``delta-<generation>-<n>.bin``
of the new ids and vectors, named in the manifest after the generation (:func:`commit_delta`,
the same temporary file, fsync, rename and manifest commit). A reader loads the generation and
adds the deltas in order. *Why*: a generation is the whole index, so writing one per ingested
document made a library's ingestion quadratic in its size (a 4 GB file rewritten for each paper
at 1M equations). A delta that is not named by the manifest (a writer killed before its commit)
is ignored and deleted like a stale generation. When the deltas grow past a share of the
generation, the writer saves a new generation instead (see ``_deltas.append_delta``).

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
from dataclasses import asdict, dataclass, replace
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
_DELTA = re.compile(r"^delta-(\d+)-(\d+)\.bin$")  # generation, then number
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
#: Steps of a save that commits a delta (new vectors only) instead of a generation.
DELTA_STEPS = (
    "delta:begin",
    "delta:file-half-written",
    "delta:file-written",
    "delta:file-renamed",
    "delta:manifest-half-written",
    "delta:manifest-written",
    "delta:committed",
    "delta:cleaned",
)
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
class Delta:
    """One delta file named by the manifest: new vectors added after its generation."""

    file: str
    size: int
    crc32: int
    count: int


@dataclass(frozen=True, slots=True)
class Manifest:
    """What ``manifest.json`` says: the current generation's file, its deltas, what they hold.

    ``count`` is the vectors of the generation and its deltas together. ``max_id`` (the largest
    id held) and ``kind`` (the generation's FAISS kind) let a writer append a delta without
    reading the index; a manifest of an earlier version has neither, and its next save is a
    generation.
    """

    generation: int
    file: str
    size: int
    crc32: int
    dim: int
    metric: str
    encoder: str
    count: int
    version: int = FORMAT_VERSION
    deltas: tuple[Delta, ...] = ()
    max_id: int | None = None
    kind: str | None = None

    @property
    def base_count(self) -> int:
        """The vectors of the generation file alone."""
        return self.count - sum(d.count for d in self.deltas)


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
        fields = json.loads(raw)
        fields["deltas"] = tuple(Delta(**d) for d in fields.get("deltas", ()))
        manifest = Manifest(**fields)
    except (ValueError, TypeError, AttributeError) as exc:
        raise IndexCorruptError(
            f"{directory.name} index: its manifest is damaged ({exc})", directory=directory
        ) from exc
    if not _GENERATION.match(manifest.file) or not all(
        _DELTA.match(d.file) for d in manifest.deltas
    ):
        raise IndexCorruptError(
            f"{directory.name} index: its manifest names no index file", directory=directory
        )
    return manifest


def read_delta(directory: Path, delta: Delta) -> bytes:
    """A delta file's bytes, checked against the manifest's size and CRC-32.

    Raises:
        FileNotFoundError: the file is gone (a newer generation replaced it since the manifest
            was read: read the manifest again).
        IndexCorruptError: the file cannot be read, or is truncated or altered.
    """
    try:
        data = (directory / delta.file).read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise IndexCorruptError(
            f"{directory.name} index: cannot read {delta.file} ({exc.strerror})",
            directory=directory,
        ) from exc
    if len(data) != delta.size or zlib.crc32(data) != delta.crc32:
        raise IndexCorruptError(
            f"{directory.name} index: {delta.file} does not match its manifest",
            directory=directory,
        )
    return data


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


def _next_delta(directory: Path, current: Manifest) -> str:
    """A delta file name of ``current``'s generation that no file and no reader has seen.

    The generation is in the name, so a reader holding an older manifest never finds a newer
    generation's delta under a name it expects (it finds no file, and reads the manifest again).
    """
    numbers = [0]
    for name in [*(p.name for p in directory.iterdir()), *(d.file for d in current.deltas)]:
        match = _DELTA.match(name)
        if match and int(match.group(1)) == current.generation:
            numbers.append(int(match.group(2)))
    return f"delta-{current.generation:06d}-{max(numbers) + 1:06d}.bin"


def _commit_manifest(directory: Path, manifest: Manifest, step: str) -> None:
    _write_durably(directory / MANIFEST_FILE, json.dumps(asdict(manifest)).encode(), step)


def commit_generation(
    directory: Path,
    data: bytes,
    meta: dict[str, object],
    *,
    max_id: int | None = None,
    kind: str | None = None,
) -> Manifest:
    """Write ``data`` as a new generation and commit it; the old one stays until the commit.

    Call it under the folder's index lock. ``meta`` holds dim, metric, encoder and count;
    ``max_id`` and ``kind`` (the largest id, the FAISS kind) let later saves append deltas.

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
            max_id=max_id,
            kind=kind,
        )
    except OSError as exc:
        raise storage_error(exc, f"the {directory.name} index") from exc
    return _commit(directory, manifest, name, data, "save:index")


def _commit(directory: Path, manifest: Manifest, name: str, data: bytes, step: str) -> Manifest:
    """Write ``data`` durably as ``name``, then commit ``manifest`` that names it; clean up.

    ``step`` (``save:index``, ``delta:file``) names the fault points: ``<step>-half-written``,
    ``<step>-written``, ``<step>-renamed``, then ``<kind>:manifest-...``, ``<kind>:committed``
    and ``<kind>:cleaned``.
    """
    kind = step.partition(":")[0]
    try:
        _write_durably(directory / name, data, step)
        fault_point(f"{step}-renamed")
        _commit_manifest(directory, manifest, f"{kind}:manifest")
    except OSError as exc:
        raise storage_error(exc, f"the {directory.name} index") from exc
    fault_point(f"{kind}:committed")
    clean_folder(directory, manifest)
    fault_point(f"{kind}:cleaned")
    return manifest


def commit_delta(
    directory: Path, current: Manifest, data: bytes, *, count: int, max_id: int, replaces: int = 0
) -> Manifest:
    """Write ``data`` (``count`` new vectors) as a delta of the current generation and commit it.

    Call it under the folder's index lock, with ``current`` read under it. The new delta takes
    the place of the last ``replaces`` deltas, whose vectors ``data`` holds too (merged so that
    a folder keeps few delta files); ``count`` counts only the vectors that are new.

    Raises:
        StorageFullError: no space left (the previous manifest is still current).
        ReadOnlyStoreError: the folder cannot be written.
        IndexStoreError: another write error.
    """
    fault_point("delta:begin")
    kept = current.deltas[: len(current.deltas) - replaces]
    try:
        merged = count + sum(d.count for d in current.deltas[len(kept) :])
        delta = Delta(_next_delta(directory, current), len(data), zlib.crc32(data), merged)
    except OSError as exc:
        raise storage_error(exc, f"the {directory.name} index") from exc
    manifest = replace(current, deltas=(*kept, delta), count=current.count + count, max_id=max_id)
    return _commit(directory, manifest, delta.file, data, "delta:file")


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
    deltas = {d.file for d in manifest.deltas} if manifest is not None else set()
    for name in names:
        stale = name.endswith(".tmp") and name.startswith(".")
        if manifest is not None:
            stale = stale or (bool(_GENERATION.match(name)) and name != manifest.file)
            stale = stale or (bool(_DELTA.match(name)) and name not in deltas)
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
