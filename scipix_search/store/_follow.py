"""Indexes one process keeps for itself, caught up from the database document by document.

With ``worker_writes_index=false`` (several machines, one PostgreSQL, no shared folder) workers
write only rows, vectors included, and each API process holds its own FAISS indexes in its own
data folder: built from the database at start (what its folder already holds is reused, and only
the difference is read), then caught up every ``index_refresh_s``.

*Why by document, not by row id*: ids are drawn from a sequence when a transaction inserts, and
concurrent transactions commit in another order than they drew, so "rows above the highest id
seen" misses a document whose transaction drew lower ids and committed later. A document's rows
are committed with it in one transaction, so a follower keeps the set of document ids it has
loaded. A catch-up reads the documents above its highest one (an index range: cheap), then
compares the count and the sum of all document ids with its own; only when they differ (a
document committed out of order, or deleted) does it read the ids of the documents table (its
smallest: one integer per paper) and add or drop what differs. Deletions are honoured without a
log table, and no migration was needed.

The local index file is a cache: it is saved at most every :data:`SAVE_EVERY_S` and at the first
open, so a restart reads only what changed since.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scipix_search.exceptions import (
    IndexCorruptError,
    IndexStoreError,
    ReadOnlyStoreError,
    StorageFullError,
)
from scipix_search.store._layout import clean_folder
from scipix_search.store._vectors import IndexMeta, VectorIndex, index_lock
from scipix_search.store.models import Document, Equation, Passage

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np

    from scipix_search.store._kinds import IndexPolicy

logger = logging.getLogger(__name__)

#: The local copy of a followed index is written at most this often (seconds): it only saves a
#: restart the reading of what it already holds, and a save serialises the whole index in
#: memory and writes it (4 GB for a million formula vectors), while a restart from an older
#: copy reads only the vectors added since.
SAVE_EVERY_S = 600.0
_BATCH = 2000
_BULK_BYTES = 128 << 20  # vectors gathered before one add at start (the build's peak)
_MODELS: dict[str, type[Passage] | type[Equation]] = {"passages": Passage, "equations": Equation}

SessionFactory = Callable[[], AbstractContextManager[Session]]


class _ReadWriteLock:
    """Many readers at once, or one writer alone; the writer may re-enter, and a waiting writer
    holds back new readers (a steady stream of searches must not starve the catch-up)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer: int | None = None
        self._depth = 0
        self._waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._writer != me:
                while self._writer is not None or self._waiting:
                    self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:
                self._depth += 1
            else:
                self._waiting += 1
                while self._writer is not None or self._readers:
                    self._cond.wait()
                self._waiting -= 1
                self._writer, self._depth = me, 1
        try:
            yield
        finally:
            with self._cond:
                self._depth -= 1
                if not self._depth:
                    self._writer = None
                    self._cond.notify_all()


class LiveIndex(VectorIndex):
    """A :class:`VectorIndex` that searches may read while a catch-up adds to it.

    FAISS releases the GIL, and an add may reallocate the vectors a search is scanning, so
    searches share a lock that adds and removals take alone.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lock = _ReadWriteLock()

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        with self.lock.shared():
            return super().search(queries, k)

    def ids(self) -> np.ndarray:
        with self.lock.shared():
            return super().ids()

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        with self.lock.exclusive():
            super().add(ids, vectors)

    def remove(self, ids: np.ndarray) -> int:
        with self.lock.exclusive():
            return super().remove(ids)

    def reset(self) -> None:
        with self.lock.exclusive():
            super().reset()

    def train(self, sample: np.ndarray, count: int) -> None:
        with self.lock.exclusive():
            super().train(sample, count)

    def save(self) -> None:
        with self.lock.shared():
            super().save()


def _add_in_bulk(
    index: VectorIndex, batches: Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> None:
    """Add the batches in few large adds: each add first removes its ids (a re-add replaces),
    which scans the whole index, so a build of 100k vectors in batches of 2,000 spent most of
    its time there."""
    import numpy as np

    ids: list[np.ndarray] = []
    vectors: list[np.ndarray] = []
    held = 0
    for batch_ids, _owner, batch_vectors in batches:
        ids.append(batch_ids)
        vectors.append(batch_vectors)
        held += batch_vectors.nbytes
        if held >= _BULK_BYTES:
            index.add(np.concatenate(ids), np.concatenate(vectors))
            ids, vectors, held = [], [], 0
    if ids:
        index.add(np.concatenate(ids), np.concatenate(vectors))


class IndexFollower:
    """One kind's index in this process, kept equal to the database's vectors of that kind.

    Args:
        session: opens a database session (``Store.session``).
        directory: the local folder of the index (this process's own).
        dim: the vectors' dimension.
        encoder: the encoder that made them (an index of another is rebuilt).
        kind: ``passages`` or ``equations``.
        policy: which kind of FAISS index at which size (an add that crosses it converts the
            index, as for shared index files).
    """

    def __init__(
        self,
        session: SessionFactory,
        directory: Path,
        *,
        dim: int,
        encoder: str,
        kind: str,
        policy: IndexPolicy | None = None,
    ) -> None:
        self._session = session
        self.directory = directory
        self.kind = kind
        self._model = _MODELS[kind]
        self._lock = threading.Lock()
        self._known: set[int] = set()
        self._top = 0
        self._sum = 0
        self._owners: dict[int, np.ndarray] = {}
        self._saved_at = 0.0
        self._dirty = False
        self.policy = policy
        self.index = self._build(dim, encoder)

    # -- start: the local copy, then what the database has that it lacks ----------------
    def _build(self, dim: int, encoder: str) -> LiveIndex:
        import numpy as np

        with index_lock(self.directory):
            clean_folder(self.directory)
            try:
                index = cast(
                    LiveIndex,
                    LiveIndex.open(self.directory, dim=dim, encoder=encoder, policy=self.policy),
                )
            except IndexCorruptError as exc:
                logger.warning("%s; building it from the database", exc)
                index = LiveIndex(
                    self.directory,
                    LiveIndex._empty(dim),
                    IndexMeta(dim, "ip", encoder, 0),
                    policy=self.policy,
                )
        with self._session() as session:
            documents = np.fromiter(session.scalars(select(Document.id)), dtype=np.int64)
            rows = session.execute(
                select(self._model.id, self._model.document_id).where(
                    self._model.embedding.is_not(None)
                )
            ).all()
        row_ids = np.array([r[0] for r in rows], dtype=np.int64)
        owner = np.array([r[1] for r in rows], dtype=np.int64)
        # Rows of a document committed after the documents were read wait for the next
        # catch-up, which finds that document as new.
        keep = np.isin(owner, documents)
        row_ids, owner = row_ids[keep], owner[keep]
        on_disk = index.ids()
        missing = np.setdiff1d(row_ids, on_disk)
        extra = np.setdiff1d(on_disk, row_ids)
        if len(extra):
            index.remove(extra)
        if len(missing) > len(row_ids) // 4:
            # Most of it (a new process): one streamed scan, not many id lists (about half
            # the time at 100k passages on PostgreSQL, measured here).
            _add_in_bulk(index, self._scan(missing))
        else:
            _add_in_bulk(index, self._rows(missing, by_document=False))
        self._remember(documents, row_ids, owner)
        self._dirty = bool(len(missing) or len(extra) or index.legacy)
        self.index = index
        if self._dirty or VectorIndex.read_meta(self.directory) is None:
            self.save(force=True)
        logger.info(
            "%s index: %d vectors, %d read from the database, %d dropped",
            self.kind,
            index.ntotal,
            len(missing),
            len(extra),
            extra={"action": "index_follow", "kind": self.kind},
        )
        return index

    def _remember(self, documents: np.ndarray, row_ids: np.ndarray, owner: np.ndarray) -> None:
        """Add documents (all of them, those without vectors too) and their rows to the state."""
        import numpy as np

        for doc in documents.tolist():
            if doc not in self._known:
                self._known.add(doc)
                self._sum += doc
                self._top = max(self._top, doc)
        if not len(row_ids):
            return
        order = np.argsort(owner, kind="stable")
        owner, row_ids = owner[order], row_ids[order]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        for doc, ids in zip(owner[starts].tolist(), np.split(row_ids, starts[1:]), strict=True):
            held = self._owners.get(doc)
            self._owners[doc] = ids if held is None else np.union1d(held, ids)

    def _scan(self, wanted: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Like :meth:`_rows` for the ids ``wanted``, read by streaming every row with a vector."""
        import numpy as np

        model = self._model
        query = (
            select(model.id, model.document_id, model.embedding)
            .where(model.embedding.is_not(None))
            .execution_options(yield_per=_BATCH)
        )
        with self._session() as session:
            for rows in session.execute(query).partitions():
                ids = np.array([r[0] for r in rows], dtype=np.int64)
                keep = np.isin(ids, wanted)
                if keep.any():
                    kept = [r for r, k in zip(rows, keep, strict=True) if k]
                    yield (
                        ids[keep],
                        np.array([r[1] for r in kept], dtype=np.int64),
                        np.stack(
                            [np.frombuffer(cast(bytes, r[2]), dtype=np.float32) for r in kept]
                        ),
                    )

    def _rows(
        self, keys: np.ndarray, *, by_document: bool
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``(ids, document ids, vectors)`` of the rows of these documents (or of these ids)."""
        import numpy as np

        model = self._model
        column = model.document_id if by_document else model.id
        for start in range(0, len(keys), _BATCH):
            chunk = [int(k) for k in keys[start : start + _BATCH]]
            with self._session() as session:
                rows = session.execute(
                    select(model.id, model.document_id, model.embedding)
                    .where(column.in_(chunk), model.embedding.is_not(None))
                    .order_by(model.id)
                ).all()
            if rows:
                yield (
                    np.array([r[0] for r in rows], dtype=np.int64),
                    np.array([r[1] for r in rows], dtype=np.int64),
                    np.stack([np.frombuffer(cast(bytes, r[2]), dtype=np.float32) for r in rows]),
                )

    # -- catching up ------------------------------------------------------------------------
    def catch_up(self) -> tuple[int, int]:
        """Add the vectors of documents stored since, drop those of documents deleted since.

        Returns:
            How many vectors were added and removed.
        """
        import numpy as np

        with self._lock:
            with self._session() as session:
                new = np.fromiter(
                    session.scalars(
                        select(Document.id).where(Document.id > self._top).order_by(Document.id)
                    ),
                    dtype=np.int64,
                )
            added = self._load(new)
            removed = 0
            with self._session() as session:
                count, total = session.execute(
                    select(func.count(Document.id), func.coalesce(func.sum(Document.id), 0))
                ).one()
            if (int(count), int(total)) != (len(self._known), self._sum):
                with self._session() as session:
                    stored = set(session.scalars(select(Document.id)))
                removed = self._drop(self._known - stored)
                added += self._load(np.array(sorted(stored - self._known), dtype=np.int64))
            if added or removed:
                self._dirty = True
                logger.info(
                    "%s index caught up: +%d -%d, now %d vectors",
                    self.kind,
                    added,
                    removed,
                    self.index.ntotal,
                    extra={"action": "index_catch_up", "kind": self.kind},
                )
            self.save()
            return added, removed

    def _load(self, documents: np.ndarray) -> int:
        import numpy as np

        added = 0
        for ids, owner, vectors in self._rows(documents, by_document=True):
            self.index.add(ids, vectors)
            self._remember(np.empty(0, dtype=np.int64), ids, owner)
            added += len(ids)
        self._remember(documents, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
        return added

    def _drop(self, documents: set[int]) -> int:
        import numpy as np

        removed = 0
        for doc in documents:
            self._known.discard(doc)
            self._sum -= doc
            ids = self._owners.pop(doc, None)
            if ids is not None and len(ids):
                removed += self.index.remove(np.asarray(ids, dtype=np.int64))
        return removed

    def save(self, *, force: bool = False) -> None:
        """Write the local copy when it changed and :data:`SAVE_EVERY_S` passed (or ``force``).

        A failed write is logged, not raised: the copy is a cache, the database the truth.
        """
        now = time.monotonic()
        if not force and (not self._dirty or now - self._saved_at < SAVE_EVERY_S):
            return
        try:
            with index_lock(self.directory):
                self.index.save()
        except (IndexStoreError, StorageFullError, ReadOnlyStoreError) as exc:
            logger.warning("%s index: local copy not saved: %s", self.kind, exc)
            return
        self._saved_at, self._dirty = now, False
