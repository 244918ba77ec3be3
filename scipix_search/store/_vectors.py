"""FAISS indexes on disk, one folder per kind, ids = database primary keys.

A folder holds generations of an index whose ids are the rows' primary keys (an exact
``IndexIDMap2`` over a flat index, or an approximate IVF index once it is large: see
:mod:`scipix_search.store._kinds`) and a ``manifest.json`` naming the current one with its dim, metric, encoder and count; a save commits
a new generation by replacing the manifest last (see :mod:`scipix_search.store._layout`), so a
crash mid-save leaves the previous index intact. The database stays the source of truth:
:meth:`scipix_search.store.Store.sync` brings an index back in line with it.
"""

from __future__ import annotations

import json
import logging
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from scipix_search.exceptions import IndexCorruptError, IndexStoreError
from scipix_search.store._files import locked
from scipix_search.store._gpu import faiss_on_gpu, to_gpu
from scipix_search.store._kinds import (
    COMPRESSED,
    IndexPolicy,
    convert,
    empty_flat,
    index_ids,
    kind_of,
    trained_index,
)
from scipix_search.store._layout import (
    FORMAT_VERSION,
    LEGACY_META_FILE,
    MANIFEST_FILE,
    Manifest,
    commit_delta,
    commit_generation,
    read_delta,
    read_generation,
    read_legacy,
    read_manifest,
    storage_error,
)

if TYPE_CHECKING:
    # numpy is imported where it is used: `stats` imports the store and needs none of it.
    import faiss
    import numpy as np

logger = logging.getLogger(__name__)

_PARALLEL_QUERIES = 16  # below this many queries, search on one thread

#: A save appends a delta while the deltas hold at most this share of the generation's vectors;
#: past it, the next save writes a new generation. The generation thus grows by a quarter at
#: least between two rewrites, so each vector is rewritten a bounded number of times on average
#: (about 1/0.25 = 4), and a reader adds at most a quarter again to what the generation holds.
DELTA_SHARE = 0.25
_DELTA_MAGIC = b"SPXDELT1"
_DELTA_HEADER = struct.Struct("<8sqq")  # magic, vectors, dim


@dataclass(frozen=True, slots=True)
class IndexMeta:
    dim: int
    metric: str
    encoder: str
    count: int
    version: int = FORMAT_VERSION


class VectorIndex:
    """An inner-product FAISS index over L2-normalised vectors, keyed by database ids.

    Exact (flat) until ``policy`` says it is large enough to be approximate; an add that crosses
    that size converts it in place (see :class:`IndexPolicy`).

    Example:
        >>> import numpy as np, tempfile
        >>> index = VectorIndex.open(Path(tempfile.mkdtemp()), dim=3, encoder="demo")
        >>> index.add(np.array([7]), np.array([[1.0, 0.0, 0.0]], dtype="float32"))
        >>> index.search(np.array([[1.0, 0.0, 0.0]], dtype="float32"), k=1)[1].tolist()
        [[7]]
    """

    def __init__(
        self,
        directory: Path,
        index: faiss.Index,
        meta: IndexMeta,
        *,
        legacy: bool = False,
        policy: IndexPolicy | None = None,
    ) -> None:
        self.directory = directory
        self._index = index
        self.meta = meta
        self.policy = policy or IndexPolicy()
        #: A copy of ``_index`` on the GPU that searches read (see ``store._gpu``); dropped
        #: when the index changes in a way the copy cannot follow.
        self._device_index: faiss.Index | None = None
        #: Read from the layout of earlier versions (``index.faiss`` + ``meta.json``); the next
        #: :meth:`save` migrates it.
        self.legacy = legacy

    # -- construction -------------------------------------------------------------------
    @staticmethod
    def _empty(dim: int) -> faiss.Index:
        return empty_flat(dim)

    @staticmethod
    def manifest_path(directory: Path) -> Path:
        """The file whose replacement commits a save: watch it to see a newer index."""
        return directory / MANIFEST_FILE

    @classmethod
    def open(
        cls, directory: Path, *, dim: int, encoder: str, policy: IndexPolicy | None = None
    ) -> VectorIndex:
        """Load the index in ``directory``, or an empty one if none was saved there.

        ``policy`` decides what later adds do (switch to an approximate index at its size) and
        the nprobe of an IVF index; the kind on disk is read as it is.

        Needs no lock: the manifest names a complete generation. When a writer commits a newer
        one and deletes this one between the two reads, the manifest is read again.

        Raises:
            IndexCorruptError: the files are damaged, disagree with each other, or were built
                by another encoder or dimension than ``encoder``/``dim``.
        """
        for _attempt in range(5):
            manifest = read_manifest(directory)
            if manifest is None:
                break
            try:
                handle = read_generation(directory, manifest)
            except FileNotFoundError:
                continue  # replaced since the manifest was read
            meta = IndexMeta(
                manifest.dim,
                manifest.metric,
                manifest.encoder,
                manifest.base_count,
                manifest.version,
            )
            with handle:
                index = cls._checked(
                    directory, handle, meta, dim=dim, encoder=encoder, policy=policy
                )
            try:
                index._add_deltas(manifest)
            except FileNotFoundError:
                continue  # a newer generation replaced them since the manifest was read
            return index
        else:
            raise IndexCorruptError(
                f"{directory.name} index: the file its manifest names is missing",
                directory=directory,
            )
        legacy = read_legacy(directory)
        if legacy is None:
            meta = IndexMeta(dim, "ip", encoder, 0)
            return cls(directory, cls._empty(dim), meta, policy=policy)
        data, raw = legacy
        try:
            meta = IndexMeta(**raw)  # type: ignore[arg-type]
        except TypeError as exc:
            raise IndexCorruptError(
                f"{directory.name} index (older layout): meta.json is damaged ({exc})",
                directory=directory,
            ) from exc
        index = cls._checked(directory, data, meta, dim=dim, encoder=encoder, policy=policy)
        index.legacy = True
        return index

    @classmethod
    def _checked(
        cls,
        directory: Path,
        data: bytes | BinaryIO,
        meta: IndexMeta,
        *,
        dim: int,
        encoder: str,
        policy: IndexPolicy | None = None,
    ) -> VectorIndex:
        import faiss
        import numpy as np

        name = directory.name
        try:
            if isinstance(data, bytes):
                index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
            else:
                reader = faiss.PyCallbackIOReader(data.read)  # type: ignore[attr-defined]
                index = faiss.read_index(reader)
        except (RuntimeError, ValueError) as exc:
            # FAISS's own message names the C++ source line: of no use to a reader of the log.
            raise IndexCorruptError(
                f"{name} index: FAISS cannot read it", directory=directory
            ) from exc
        # what save() writes: ids kept by an IndexIDMap2 or by the inverted lists
        if not isinstance(index, faiss.IndexIDMap2 | faiss.IndexIVF):
            raise IndexCorruptError(
                f"{name} index is a {type(index).__name__}, not an IndexIDMap2 or IVF index",
                directory=directory,
            )
        if index.ntotal != meta.count or index.d != meta.dim:
            raise IndexCorruptError(
                f"{name} index holds {index.ntotal} vectors of dim {index.d}, "
                f"its metadata says {meta.count} of dim {meta.dim}",
                directory=directory,
            )
        if meta.dim != dim or meta.encoder != encoder:
            raise IndexCorruptError(
                f"{name} index was built by {meta.encoder} (dim {meta.dim}), "
                f"expected {encoder} (dim {dim}); run `scipix-search reindex`",
                directory=directory,
            )
        loaded = cls(directory, index, meta, policy=policy)
        loaded.set_nprobe(loaded.policy.nprobe)  # a setting, not what the builder chose
        return loaded

    def _add_deltas(self, manifest: Manifest) -> None:
        """Add the manifest's deltas, in order, to the generation just read.

        Raises:
            FileNotFoundError: a delta is gone (a newer generation replaced it).
            IndexCorruptError: a delta is damaged or does not add up to the manifest's count.
        """
        import numpy as np

        if not manifest.deltas:
            return
        parts = [
            _decode_delta(
                read_delta(self.directory, delta), self.directory, delta.count, self.meta.dim
            )
            for delta in manifest.deltas
        ]
        # ids of a delta are above every id before it (see append), so none replaces another
        self._index.add_with_ids(
            np.concatenate([v for _, v in parts]), np.concatenate([i for i, _ in parts])
        )
        self._refresh_meta()
        if self.ntotal != manifest.count:
            raise IndexCorruptError(
                f"{self.directory.name} index holds {self.ntotal} vectors with its deltas, "
                f"its manifest says {manifest.count}",
                directory=self.directory,
            )

    # -- reading ------------------------------------------------------------------------
    @staticmethod
    def read_meta(directory: Path) -> IndexMeta | None:
        """What the index saved in ``directory`` holds (``None`` when none was saved yet).

        Cheap: neither FAISS nor the index file is read (``stats`` answers from this; the
        count is committed with the index, in the same save).

        Raises:
            IndexCorruptError: the metadata cannot be read or does not describe an index.
        """
        manifest = read_manifest(directory)
        if manifest is not None:
            return IndexMeta(
                manifest.dim, manifest.metric, manifest.encoder, manifest.count, manifest.version
            )
        meta_path = directory / LEGACY_META_FILE
        if not meta_path.exists():
            return None
        try:
            return IndexMeta(**json.loads(meta_path.read_text()))
        except (OSError, ValueError, TypeError) as exc:
            raise IndexCorruptError(
                f"{directory.name} index (older layout): cannot read meta.json", directory=directory
            ) from exc

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    @property
    def kind(self) -> str:
        """``flat``, ``ivf``, ``ivf-sq8``, ``ivf-fp16`` or ``ivf-pq``: what is held now."""
        return kind_of(self._index)

    @property
    def approximate_scores(self) -> bool:
        """Whether :meth:`search` scores are compressed approximations of the inner product,
        so that a caller re-scores the shortlist with the stored vectors."""
        return self.kind in COMPRESSED

    def ids(self) -> np.ndarray:
        """All ids in the index (int64)."""
        return index_ids(self._index)

    def set_nprobe(self, nprobe: int) -> None:
        """Inverted lists an IVF index scans per query (nothing to set on a flat one)."""
        import faiss

        if isinstance(self._index, faiss.IndexIVF):
            self._index.nprobe = nprobe
            self._device_index = None  # copied with the old nprobe

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(scores, ids)`` of shape (n, k); missing slots have id -1."""
        import numpy as np

        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if queries.ndim != 2 or queries.shape[1] != self.meta.dim:
            raise IndexStoreError(f"query shape {queries.shape} does not match dim {self.meta.dim}")
        if self.ntotal == 0 or k <= 0:
            n = queries.shape[0]
            return np.zeros((n, max(k, 0)), np.float32), -np.ones((n, max(k, 0)), np.int64)
        device_index = self._on_device()
        if device_index is not None:
            return device_index.search(queries, min(k, self.ntotal))
        if queries.shape[0] >= _PARALLEL_QUERIES:
            return self._index.search(queries, min(k, self.ntotal))
        import faiss

        # A few queries gain nothing from OpenMP: on 2 cores with other work running, one
        # thread was 3x faster than two for one query over 100k vectors (seen here), and a
        # server answers concurrent requests on its own threads anyway.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            return self._index.search(queries, min(k, self.ntotal))
        finally:
            faiss.omp_set_num_threads(threads)

    def _on_device(self) -> faiss.Index | None:
        """The GPU copy searches read, made on first use where FAISS runs on a GPU."""
        if self._device_index is None and faiss_on_gpu(self.policy.device):
            self._device_index = to_gpu(self._index)
        return self._device_index

    # -- writing ------------------------------------------------------------------------
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        import numpy as np

        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(ids) == 0:
            return
        if vectors.shape != (len(ids), self.meta.dim):
            raise IndexStoreError(f"vectors of shape {vectors.shape} for {len(ids)} ids")
        # Re-adding an id would leave two rows for it; replace instead.
        self.remove(ids)
        self._index.add_with_ids(vectors, ids)
        if self._device_index is not None:
            self._device_index.add_with_ids(vectors, ids)
        if self.kind == "flat" and self.policy.approximate_at(self.ntotal):
            logger.info(
                "%s index: %d vectors, switching to %s",
                self.directory.name,
                self.ntotal,
                self.policy.target_at(self.ntotal),
            )
            self._index = convert(self._index, self.policy)
            self._device_index = None
        self._refresh_meta()

    @staticmethod
    def append(
        directory: Path,
        ids: np.ndarray,
        vectors: np.ndarray,
        *,
        dim: int,
        encoder: str,
        policy: IndexPolicy,
    ) -> bool:
        """Commit new vectors as a delta of the saved index, without reading the index.

        Call it under :func:`index_lock`. Returns False, writing nothing, where a whole save is
        needed instead (open, :meth:`add`, :meth:`save`): no manifest of this version, another
        encoder, an id not above every saved one (a replacement, or a transaction that
        committed late: only a load of the index can replace a vector), an approximate
        generation or a flat one that the add would make approximate, deltas that would
        outgrow :data:`DELTA_SHARE` of the generation, or a delta that cannot be read for a
        merge. Trailing deltas no larger than the new one are merged into it, so the folder
        keeps a logarithmic number of files.

        *Why flat generations only*: a reader adds the deltas to the generation it loads. On a
        flat index that is a copy (1,500 vectors on 10,000 of 384 dims: 7 → 12 CPU ms an open);
        an IVF index assigns each added vector to its nearest of ~4·√n lists (1,500 vectors on
        100,000 of 1,024 dims: 0.5 → 1.5 CPU s an open), which every API reload would pay again
        for every delta. Deltas for IVF need their lists stored with them (the writer reading
        the coarse quantiser, saved beside the generation): not built yet.

        Raises:
            StorageFullError, ReadOnlyStoreError, IndexStoreError: as :meth:`save`.
        """
        import numpy as np

        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        try:
            manifest = read_manifest(directory)
        except IndexCorruptError:
            return False
        if (
            manifest is None
            or manifest.max_id is None
            or manifest.kind is None
            or (manifest.dim, manifest.encoder) != (dim, encoder)
            or vectors.shape != (len(ids), dim)
            or len(ids) == 0
            or int(ids.min()) <= manifest.max_id
            or len(np.unique(ids)) != len(ids)
            or manifest.kind != "flat"
            or policy.approximate_at(manifest.count + len(ids))
            or manifest.count - manifest.base_count + len(ids) > DELTA_SHARE * manifest.base_count
        ):
            return False
        id_parts, vector_parts, replaces = [ids], [vectors], 0
        for delta in reversed(manifest.deltas):
            if delta.count > sum(len(part) for part in id_parts):
                break
            try:
                data = read_delta(directory, delta)
                old_ids, old_vectors = _decode_delta(data, directory, delta.count, dim)
            except (FileNotFoundError, IndexCorruptError):
                return False  # the whole save's open finds it and repairs the index
            id_parts.insert(0, old_ids)
            vector_parts.insert(0, old_vectors)
            replaces += 1
        commit_delta(
            directory,
            manifest,
            _encode_delta(np.concatenate(id_parts), np.concatenate(vector_parts)),
            count=len(ids),
            max_id=int(ids.max()),
            replaces=replaces,
        )
        logger.debug("appended %d vectors to %s", len(ids), directory)
        return True

    def train(self, sample: np.ndarray, count: int) -> None:
        """Make an empty index approximate for ``count`` vectors when its policy says so.

        A rebuild calls it with a random sample of the stored vectors before adding them in
        batches, so the whole table is never in memory and the lists fit the final size.
        """
        if self.ntotal or not self.policy.approximate_at(count) or len(sample) == 0:
            return
        self._index = trained_index(self.policy, sample, count)
        self._device_index = None

    def remove(self, ids: np.ndarray) -> int:
        import faiss
        import numpy as np

        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if len(ids) == 0 or self.ntotal == 0:
            return 0
        removed = int(self._index.remove_ids(faiss.IDSelectorBatch(ids)))
        if removed:
            # FAISS's GPU kinds cannot remove ids: copy the index again at the next search
            self._device_index = None
        self._refresh_meta()
        return removed

    def reset(self) -> None:
        self._index = empty_flat(self.meta.dim)
        self._device_index = None
        self._refresh_meta()

    def _refresh_meta(self) -> None:
        self.meta = IndexMeta(self.meta.dim, self.meta.metric, self.meta.encoder, self.ntotal)

    def save(self) -> None:
        """Commit the index as a new generation (call it under :func:`index_lock`).

        Raises:
            StorageFullError: no space left; the previous index is still the current one.
            ReadOnlyStoreError: the folder cannot be written.
            IndexStoreError: FAISS cannot serialise the index, or another write error.
        """
        import faiss

        try:
            data = faiss.serialize_index(self._index).tobytes()
        except (RuntimeError, MemoryError) as exc:
            raise IndexStoreError(f"cannot serialise the {self.directory.name} index") from exc
        ids = self.ids()
        max_id = int(ids.max()) if len(ids) else -1
        commit_generation(
            self.directory, data, _meta_dict(self.meta), max_id=max_id, kind=self.kind
        )
        self.legacy = False
        logger.debug("saved %d vectors to %s", self.ntotal, self.directory)


def _encode_delta(ids: np.ndarray, vectors: np.ndarray) -> bytes:
    header = _DELTA_HEADER.pack(_DELTA_MAGIC, len(ids), vectors.shape[1])
    return header + ids.astype("<i8").tobytes() + vectors.astype("<f4").tobytes()


def _decode_delta(
    data: bytes, directory: Path, count: int, dim: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ids and vectors of a delta file, checked against what the manifest says of it."""
    import numpy as np

    size = _DELTA_HEADER.size
    magic, n, width = _DELTA_HEADER.unpack_from(data) if len(data) >= size else (b"", -1, -1)
    if magic != _DELTA_MAGIC or n != count or width != dim or len(data) != size + n * (8 + 4 * dim):
        raise IndexCorruptError(
            f"{directory.name} index: a delta file is not what its manifest says",
            directory=directory,
        )
    ids = np.frombuffer(data, dtype="<i8", count=n, offset=size).astype(np.int64)
    vectors = np.frombuffer(data, dtype="<f4", offset=size + 8 * n).reshape(n, dim)
    return ids, vectors.astype(np.float32)


def _meta_dict(meta: IndexMeta) -> dict[str, object]:
    return {f: getattr(meta, f) for f in IndexMeta.__dataclass_fields__}


@contextmanager
def index_lock(directory: Path) -> Iterator[None]:
    """An exclusive inter-process lock for read-modify-write of one index folder.

    Raises:
        ReadOnlyStoreError: the folder cannot be created or its lock file opened for writing.
        StorageFullError: no space left to create them.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / ".lock", "a+")  # noqa: SIM115 (closed below, after the lock)
    except OSError as exc:
        raise storage_error(exc, f"the {directory.name} index lock") from exc
    with locked(handle):
        yield
