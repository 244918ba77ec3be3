"""The store: one database plus one FAISS index folder per kind, kept in agreement."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scipix_search.config import Settings
from scipix_search.store import repo
from scipix_search.store._db import ensure_database, session_scope
from scipix_search.store._vectors import IndexMeta, VectorIndex, index_lock

if TYPE_CHECKING:
    # Only annotations: importing ingest at run time loads PyMuPDF, and numpy is imported
    # where it is used; `stats` and the searchers need neither from here.
    import numpy as np

    from scipix_search.ingest import ParsedDocument

logger = logging.getLogger(__name__)

KINDS = ("passages", "equations")


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """Which encoder fills an index, and its dimension (checked against meta.json)."""

    kind: str
    encoder: str
    dim: int


@dataclass(frozen=True, slots=True)
class SyncReport:
    kind: str
    added: int
    removed: int
    total: int


class Store:
    """Database + FAISS indexes under one data folder (or a PostgreSQL URL for the database)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        ensure_database(settings)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.settings) as session:
            yield session

    def index_dir(self, kind: str) -> Path:
        return self.settings.index_dir / kind

    def index_meta(self, kind: str) -> IndexMeta | None:
        """What the saved index of ``kind`` holds (``None`` before its first save); no FAISS."""
        return VectorIndex.read_meta(self.index_dir(kind))

    def open_index(self, spec: IndexSpec) -> VectorIndex:
        return VectorIndex.open(self.index_dir(spec.kind), dim=spec.dim, encoder=spec.encoder)

    def add_vectors(self, spec: IndexSpec, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under an inter-process lock and save the index atomically."""
        if len(ids) == 0:
            return
        with index_lock(self.index_dir(spec.kind)):
            index = self.open_index(spec)
            index.add(ids, vectors)
            index.save()

    def remove_vectors(self, kind: str, ids: list[int]) -> None:
        import numpy as np

        directory = self.index_dir(kind)
        if not ids or not (directory / "meta.json").exists():
            return
        with index_lock(directory):
            import json

            meta = json.loads((directory / "meta.json").read_text())
            index = VectorIndex.open(directory, dim=meta["dim"], encoder=meta["encoder"])
            index.remove(np.asarray(ids, dtype=np.int64))
            index.save()

    def sync(self, spec: IndexSpec) -> SyncReport:
        """Make the index hold exactly the vectors stored in the database.

        Cheap when they already agree (one id query); repairs an index left behind by a
        crash between the database commit and the index save.
        """
        import numpy as np

        with index_lock(self.index_dir(spec.kind)):
            index = self.open_index(spec)
            with self.session() as session:
                db_ids = repo.vector_ids(session=session, kind=spec.kind)
                index_ids = index.ids()
                missing = np.setdiff1d(db_ids, index_ids, assume_unique=True)
                extra = np.setdiff1d(index_ids, db_ids, assume_unique=True)
                for ids, vectors in repo.iter_vectors(session=session, kind=spec.kind, ids=missing):
                    index.add(ids, vectors)
            if len(extra):
                index.remove(extra)
            if len(missing) or len(extra) or not (self.index_dir(spec.kind) / "meta.json").exists():
                index.save()
            if len(missing) or len(extra):
                logger.info(
                    "%s index synced with the database: +%d -%d",
                    spec.kind,
                    len(missing),
                    len(extra),
                )
            return SyncReport(spec.kind, int(len(missing)), int(len(extra)), index.ntotal)

    def rebuild(self, spec: IndexSpec) -> SyncReport:
        """Rebuild an index from scratch out of the database's vectors."""
        with index_lock(self.index_dir(spec.kind)):
            index = VectorIndex(
                self.index_dir(spec.kind), VectorIndex._empty(spec.dim), self.open_meta(spec)
            )
            with self.session() as session:
                for ids, vectors in repo.iter_vectors(session=session, kind=spec.kind):
                    index.add(ids, vectors)
            index.save()
            return SyncReport(spec.kind, index.ntotal, 0, index.ntotal)

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
                )
                document_id = document.id
                passage_ids = [p.id for p in document.passages]
                equation_ids = [e.id for e in document.equations]
        except IntegrityError:
            return None
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
        self.remove_vectors("passages", passage_ids)
        self.remove_vectors("equations", equation_ids)
        return True
