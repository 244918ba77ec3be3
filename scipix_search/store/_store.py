"""The store: one database plus one FAISS index folder per kind, kept in agreement."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scipix_search.config import Settings
from scipix_search.exceptions import IndexCorruptError, ReadOnlyStoreError, StorageFullError
from scipix_search.store import repo
from scipix_search.store._db import ensure_database, session_scope
from scipix_search.store._deltas import append_delta
from scipix_search.store._follow import IndexFollower
from scipix_search.store._kinds import IndexPolicy
from scipix_search.store._layout import clean_folder, fault_point, storage_error
from scipix_search.store._vectors import IndexMeta, VectorIndex, index_lock

if TYPE_CHECKING:
    # Only annotations: importing ingest at run time loads PyMuPDF, and numpy is imported
    # where it is used; `stats` and the searchers need neither from here.
    import numpy as np

    from scipix_search.ingest import ParsedDocument

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """Which encoder fills an index, and its dimension (checked against its manifest)."""

    kind: str
    encoder: str
    dim: int


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What :meth:`Store.sync` or :meth:`Store.rebuild` did to one index.

    ``problem`` says what was wrong with the index on disk before (unreadable, another encoder,
    an older layout), empty when it only lagged behind the database by ``added``/``removed``.
    """

    kind: str
    added: int
    removed: int
    total: int
    problem: str = ""

    @property
    def repaired(self) -> bool:
        return bool(self.added or self.removed or self.problem)


def _check_writable(data_dir: Path) -> None:
    """Refuse a data folder that cannot be written, in one line, before SQLite says it obscurely.

    *Why not serve read-only*: SQLite in WAL mode writes its shared-memory file even to read,
    indexes are repaired in place, and uploads land there; a read-only folder is a mistake to
    report at start, not a mode.

    Raises:
        ReadOnlyStoreError: the folder is on a read-only file system or not writable by us.
        StorageFullError: it cannot be created for lack of space.
    """
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, f"the data folder {data_dir}") from exc
    if not os.access(data_dir, os.W_OK):
        reason = "read-only file system" if _read_only_mount(data_dir) else "permission denied"
        raise ReadOnlyStoreError(
            f"the data folder {data_dir} is read-only ({reason}); "
            "scipix-search writes its database and indexes there",
            directory=data_dir,
        )


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


class Store:
    """Database + FAISS indexes under one data folder (or a PostgreSQL URL for the database).

    The database is the source of truth. Every open of an index through the store checks it
    against the database and repairs it (:meth:`sync`): id by id at the first open of a kind in
    this store, by count (then id by id if they differ) at later ones. What could not be repaired
    (a read-only or full data folder) is kept in :attr:`index_problems`, and the readers get
    what is on disk, or an empty index when nothing readable is.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        _check_writable(settings.data_dir)
        ensure_database(settings)
        #: Per kind, why its index disagrees with the database and could not be repaired.
        self.index_problems: dict[str, str] = {}
        # Kinds whose index this store compared id by id with the database; later opens (an
        # API reloads after every worker save) compare the counts first: 85 ms instead of
        # 300 ms for 100k vectors on SQLite, measured here.
        self._checked: set[str] = set()
        # Per kind, the index kept in this process and caught up from the database; None
        # while the indexes are shared files (see :meth:`follow`).
        self._followers: dict[str, IndexFollower] | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.settings) as session:
            yield session

    def index_dir(self, kind: str) -> Path:
        return self.settings.index_dir / kind

    def index_meta(self, kind: str) -> IndexMeta | None:
        """What the saved index of ``kind`` holds (``None`` before its first save); no FAISS."""
        return VectorIndex.read_meta(self.index_dir(kind))

    def follow(self) -> None:
        """Keep each index in this process, caught up from the database by :meth:`catch_up`.

        For an API process whose workers write only to the database (``worker_writes_index``
        false): its indexes live in its own data folder, which no other process writes; see
        :mod:`scipix_search.store._follow`. Later :meth:`open_index` calls return the one live
        index of their kind, which catch-ups change in place.
        """
        if self._followers is None:
            self._followers = {}

    @property
    def following(self) -> bool:
        return self._followers is not None

    def catch_up(self) -> list[SyncReport]:
        """Bring every followed index up to the database (new documents in, deleted ones out).

        Raises:
            StoreError: the database cannot be read (the indexes stay as they were).
        """
        reports = []
        for kind, follower in list((self._followers or {}).items()):
            added, removed = follower.catch_up()
            reports.append(SyncReport(kind, added, removed, follower.index.ntotal))
        return reports

    def _follower(self, spec: IndexSpec) -> IndexFollower:
        assert self._followers is not None
        follower = self._followers.get(spec.kind)
        if follower is None or follower.index.meta.encoder != spec.encoder:
            follower = IndexFollower(
                self.session,
                self.index_dir(spec.kind),
                dim=spec.dim,
                encoder=spec.encoder,
                kind=spec.kind,
                policy=self.policy(spec),
            )
            self._followers[spec.kind] = follower
        return follower

    def open_index(self, spec: IndexSpec) -> VectorIndex:
        """The index of ``spec``, checked against the database and repaired where it differs.

        When the repair cannot be written (read-only or full data folder), the reason is kept
        in :attr:`index_problems` and logged, and the index on disk is returned as it is (an
        empty one when it cannot be read): search then finds what is consistent, the database
        rows, and a server says it is not ready. A followed index (:meth:`follow`) is the live
        one of this process.
        """
        if self._followers is not None:
            return self._follower(spec).index
        try:
            _report, index = self._sync(spec, quick=spec.kind in self._checked)
        except (StorageFullError, ReadOnlyStoreError) as exc:
            return self._open_unrepaired(spec, exc)
        self.index_problems.pop(spec.kind, None)
        return index

    def _open_unrepaired(self, spec: IndexSpec, exc: Exception) -> VectorIndex:
        directory = self.index_dir(spec.kind)
        try:
            index = VectorIndex.open(
                directory, dim=spec.dim, encoder=spec.encoder, policy=self.policy(spec)
            )
        except IndexCorruptError as corrupt:
            index = VectorIndex(directory, VectorIndex._empty(spec.dim), self.open_meta(spec))
            problem = f"{corrupt}; not repaired: {exc}"
        else:
            problem = self._disagreement(spec, index)
            if problem:
                problem = f"{problem}; not repaired: {exc}"
        if problem:
            self.index_problems[spec.kind] = problem
            logger.error("%s", problem, extra={"action": "index_check", "kind": spec.kind})
        else:
            self.index_problems.pop(spec.kind, None)
        return index

    def _disagreement(self, spec: IndexSpec, index: VectorIndex) -> str:
        import numpy as np

        with self.session() as session:
            db_ids = repo.vector_ids(session=session, kind=spec.kind)
        if np.array_equal(np.sort(db_ids), np.sort(index.ids())):
            return ""
        return f"{spec.kind} index holds {index.ntotal} vectors, the database {len(db_ids)}"

    def add_vectors(self, spec: IndexSpec, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under an inter-process lock and commit the index atomically.

        New ids are appended as a delta file without reading the index (a library's ingestion
        would otherwise rewrite the whole index for each document); where that cannot be, the
        index is read, added to and saved as a new generation (see
        :func:`~scipix_search.store._deltas.append_delta`).
        """
        if len(ids) == 0:
            return
        directory = self.index_dir(spec.kind)
        with index_lock(directory):
            policy = self.policy(spec)
            if append_delta(
                directory, ids, vectors, dim=spec.dim, encoder=spec.encoder, policy=policy
            ):
                return
            index = self._open_or_rebuild(spec)
            index.add(ids, vectors)
            index.save()

    def remove_vectors(self, kind: str, ids: list[int]) -> None:
        import numpy as np

        directory = self.index_dir(kind)
        if not ids:
            return
        with index_lock(directory):
            try:
                meta = self.index_meta(kind)
                if meta is None:
                    return
                index = VectorIndex.open(directory, dim=meta.dim, encoder=meta.encoder)
            except IndexCorruptError:
                return  # unreadable: the next open rebuilds it from the database, without them
            if index.remove(np.asarray(ids, dtype=np.int64)) or index.legacy:
                index.save()

    def _open_or_rebuild(self, spec: IndexSpec) -> VectorIndex:
        """Under the lock: the index, or a rebuild from the database when it is unreadable."""
        try:
            return VectorIndex.open(
                self.index_dir(spec.kind),
                dim=spec.dim,
                encoder=spec.encoder,
                policy=self.policy(spec),
            )
        except IndexCorruptError as exc:
            logger.warning("%s; rebuilding it from the database", exc)
            return self._filled(spec)

    def _filled(self, spec: IndexSpec) -> VectorIndex:
        import numpy as np

        policy = self.policy(spec)
        index = VectorIndex(
            self.index_dir(spec.kind),
            VectorIndex._empty(spec.dim),
            self.open_meta(spec),
            policy=policy,
        )
        with self.session() as session:
            ids = repo.vector_ids(session=session, kind=spec.kind)
            if policy.approximate_at(len(ids)):
                # the coarse quantiser learns from a random sample; the rows then stream in
                size = policy.training_size(len(ids))
                chosen = np.sort(np.random.default_rng(0).choice(ids, size, replace=False))
                batches = repo.iter_vectors(session=session, kind=spec.kind, ids=chosen)
                index.train(np.concatenate([v for _, v in batches]), len(ids))
            for batch_ids, vectors in repo.iter_vectors(session=session, kind=spec.kind, ids=ids):
                index.add(batch_ids, vectors)
        return index

    def sync(self, spec: IndexSpec) -> SyncReport:
        """Make the index hold exactly the vectors stored in the database.

        Cheap when they already agree (one id query). Repairs an index left behind by a crash
        between the database commit and the index save, and rebuilds one that is missing,
        unreadable (truncated, garbage, a checksum that does not match) or built by another
        encoder; an index in the layout of an earlier version is migrated. Leftover temporary
        files and old generations are deleted. What was repaired is logged.

        Raises:
            StorageFullError: the repair could not be written (no space left); the index on
                disk is unchanged.
            ReadOnlyStoreError: the data folder cannot be written.
        """
        return self._sync(spec)[0]

    def _sync(self, spec: IndexSpec, *, quick: bool = False) -> tuple[SyncReport, VectorIndex]:
        """:meth:`sync`, returning the index; ``quick`` trusts an index of the right size."""
        import numpy as np

        directory = self.index_dir(spec.kind)
        with index_lock(directory):
            clean_folder(directory)
            problem = ""
            try:
                index = VectorIndex.open(
                    directory, dim=spec.dim, encoder=spec.encoder, policy=self.policy(spec)
                )
            except IndexCorruptError as exc:
                problem = str(exc)
                index = VectorIndex(
                    directory,
                    VectorIndex._empty(spec.dim),
                    self.open_meta(spec),
                    policy=self.policy(spec),
                )
            if index.legacy:
                problem = f"{spec.kind} index in the layout of an earlier version"
            if quick and not problem:
                with self.session() as session:
                    stored = repo.count_vectors(session=session, kind=spec.kind)
                if stored == index.ntotal:
                    return SyncReport(spec.kind, 0, 0, index.ntotal), index
            with self.session() as session:
                db_ids = repo.vector_ids(session=session, kind=spec.kind)
                index_ids = index.ids()
                missing = np.setdiff1d(db_ids, index_ids, assume_unique=True)
                extra = np.setdiff1d(index_ids, db_ids, assume_unique=True)
                for ids, vectors in repo.iter_vectors(session=session, kind=spec.kind, ids=missing):
                    index.add(ids, vectors)
            if len(extra):
                index.remove(extra)
            report = SyncReport(
                spec.kind, int(len(missing)), int(len(extra)), index.ntotal, problem
            )
            if report.repaired or self.index_meta(spec.kind) is None:
                index.save()
            if report.repaired:
                logger.warning(
                    "%s index repaired from the database (%s): +%d -%d, now %d vectors",
                    spec.kind,
                    problem or "behind the database",
                    report.added,
                    report.removed,
                    report.total,
                    extra={"action": "index_repair", "kind": spec.kind},
                )
            self._checked.add(spec.kind)
            return report, index

    def rebuild(self, spec: IndexSpec) -> SyncReport:
        """Rebuild an index from scratch out of the database's vectors.

        Built in memory and committed in one save: a kill at any point leaves the previous
        index or the new one, and the next open repairs the previous one if it lags.
        """
        with index_lock(self.index_dir(spec.kind)):
            fault_point("rebuild:begin")
            index = self._filled(spec)
            fault_point("rebuild:filled")
            index.save()
            self.index_problems.pop(spec.kind, None)
            return SyncReport(spec.kind, index.ntotal, 0, index.ntotal)

    def policy(self, spec: IndexSpec) -> IndexPolicy:
        """Which kind of index ``spec``'s folder holds at which size (from the settings)."""
        return IndexPolicy.from_settings(self.settings, spec.kind)

    @staticmethod
    def open_meta(spec: IndexSpec) -> IndexMeta:
        return IndexMeta(spec.dim, "ip", spec.encoder, 0)

    def add_document(
        self,
        parsed: ParsedDocument,
        *,
        passage_vectors: np.ndarray,
        equation_extras: list[repo.EquationExtras],
        passage_spec: IndexSpec,
        equation_spec: IndexSpec,
        stored_file: str | None = None,
        write_index: bool = True,
        duplicate_of: int | None = None,
    ) -> int | None:
        """Store a document: its rows in one transaction, then its vectors in the indexes.

        A crash between the two leaves the indexes behind the database, which :meth:`sync`
        repairs; it never leaves rows of half a document.

        Args:
            parsed: the document, its pages, passages and equations.
            passage_vectors: one vector per passage (rows of ``passage_spec``'s index).
            equation_extras: per equation, its canonical form, MathML and vector (or None).
            passage_spec: the passage index.
            equation_spec: the equation index.
            stored_file: the content-store key of the original file (``keep_original``).
            write_index: add the vectors to the index files too; false for a worker that
                writes only to the database (the API processes catch up from it).
            duplicate_of: the document this one is another build of.

        Returns:
            The new document's id, or None when the database refused it as a duplicate
            (another process stored the same file since the caller looked).
        """
        import numpy as np

        try:
            with self.session() as session:
                document = repo.add_document(
                    session=session,
                    parsed=parsed,
                    passage_vectors=passage_vectors,
                    equation_extras=equation_extras,
                    stored_file=stored_file,
                    duplicate_of=duplicate_of,
                )
                document_id = document.id
                passage_ids = [p.id for p in document.passages]
                equation_ids = [e.id for e in document.equations]
        except IntegrityError:
            return None
        fault_point("store:rows-committed")
        if not write_index:
            return document_id
        self.add_vectors(passage_spec, np.asarray(passage_ids), passage_vectors)
        has_vector = np.array([x.embedding is not None for x in equation_extras], dtype=bool)
        if has_vector.any():
            self.add_vectors(
                equation_spec,
                np.asarray(equation_ids)[has_vector],
                np.stack([x.embedding for x in equation_extras if x.embedding is not None]),
            )
        return document_id

    def delete_document(self, document_id: int) -> bool:
        """Delete a document's rows (one transaction), then its vectors from the indexes."""
        with self.session() as session:
            removed = repo.delete_document(session=session, document_id=document_id)
        if removed is None:
            return False
        passage_ids, equation_ids = removed
        if self._followers is not None:
            self.catch_up()  # the followed indexes; other processes find the deletion themselves
            return True
        self.remove_vectors("passages", passage_ids)
        self.remove_vectors("equations", equation_ids)
        return True
