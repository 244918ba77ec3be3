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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from scipix_search.exceptions import IndexCorruptError, IndexStoreError
from scipix_search.store._deltas import decode_delta
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
            decode_delta(
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
