"""The ingestion pipeline: one source file through ingest -> ocr -> math -> embed -> store.

Data flows one way: each stage gets the previous stage's dataclasses and never calls a later
stage. A document is committed to the database in one transaction (all its rows or none), and
only then are its vectors added to the FAISS indexes; :meth:`Store.sync` repairs an index that
a crash left behind the database.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy.exc import IntegrityError

from scipix_search.config import Settings
from scipix_search.embed import TextEncoder
from scipix_search.exceptions import InputError, ScipixError
from scipix_search.ingest import ParsedDocument, parse_pdf, read_input, sha256_bytes, sniff
from scipix_search.store import IndexSpec, Store, repo

logger = logging.getLogger(__name__)

Status = Literal["added", "present", "failed"]


@dataclass(slots=True)
class IngestOutcome:
    """What happened to one input."""

    name: str
    status: Status
    document_id: int | None = None
    reason: str | None = None
    passages: int = 0
    equations: int = 0
    timings: dict[str, float] = field(default_factory=dict)


class Indexer:
    """Ingests files into a :class:`Store`, loading each model once.

    Example:
        >>> indexer = Indexer(get_settings())
        >>> indexer.ingest_file(Path("paper.pdf")).status
        'added'
    """

    def __init__(self, settings: Settings, *, text_encoder: TextEncoder | None = None) -> None:
        self.settings = settings
        self.store = Store(settings)
        self._text_encoder = text_encoder

    @property
    def text_encoder(self) -> TextEncoder:
        if self._text_encoder is None:
            self._text_encoder = TextEncoder.from_model_dir(
                self.settings.model_dir,
                device=self.settings.device,
                batch_size=self.settings.embed_batch_size,
            )
        return self._text_encoder

    def passage_spec(self) -> IndexSpec:
        encoder = self.text_encoder
        return IndexSpec("passages", encoder.name, encoder.dim)

    def index_specs(self) -> list[IndexSpec]:
        return [self.passage_spec()]

    def sync_indexes(self) -> None:
        for spec in self.index_specs():
            self.store.sync(spec)

    # -- stages -------------------------------------------------------------------------
    def parse(self, data: bytes, name: str, sha256: str) -> ParsedDocument:
        """Ingest stage: bytes to a ParsedDocument, by content type."""
        kind = sniff(data, name)
        if kind == "pdf":
            return parse_pdf(data, name, sha256, max_pages=self.settings.max_pages)
        raise InputError(f"{name}: {kind} input is not supported by this version yet")

    def ingest_file(self, path: Path) -> IngestOutcome:
        """Ingest one file; bad input becomes a ``failed`` outcome with a one-line reason."""
        try:
            data = read_input(path, max_bytes=self.settings.max_file_bytes)
        except OSError as exc:
            return IngestOutcome(path.name, "failed", reason=f"{path.name}: {exc.strerror or exc}")
        except ScipixError as exc:
            return IngestOutcome(path.name, "failed", reason=str(exc))
        return self.ingest_bytes(data, path.name)

    def ingest_bytes(self, data: bytes, name: str) -> IngestOutcome:
        timings: dict[str, float] = {}
        sha256 = sha256_bytes(data)
        with self.store.session() as session:
            existing = repo.get_document_by_sha(session=session, sha256=sha256)
            if existing is not None:
                return IngestOutcome(name, "present", existing.id)
        try:
            started = time.perf_counter()
            parsed = self.parse(data, name, sha256)
            timings["extract"] = time.perf_counter() - started

            started = time.perf_counter()
            vectors = self.text_encoder.encode_document([p.text for p in parsed.passages])
            timings["embed"] = time.perf_counter() - started
        except ScipixError as exc:
            logger.info("failed %s: %s", name, exc, extra={"action": "ingest", "source": name})
            return IngestOutcome(name, "failed", reason=str(exc))

        started = time.perf_counter()
        try:
            with self.store.session() as session:
                document = repo.add_document(
                    session=session, parsed=parsed, passage_vectors=vectors
                )
                document_id = document.id
                passage_ids = [p.id for p in document.passages]
        except IntegrityError:
            # Another process stored the same file between our check and our commit.
            with self.store.session() as session:
                existing = repo.get_document_by_sha(session=session, sha256=sha256)
            return IngestOutcome(name, "present", existing.id if existing else None)
        import numpy as np

        self.store.add_vectors(self.passage_spec(), np.asarray(passage_ids), vectors)
        timings["store"] = time.perf_counter() - started
        logger.info(
            "added %s: %d pages, %d passages",
            name,
            parsed.page_count,
            len(parsed.passages),
            extra={"action": "ingest", "document_id": document_id, "source": name},
        )
        return IngestOutcome(
            name,
            "added",
            document_id,
            passages=len(parsed.passages),
            equations=len(parsed.equations),
            timings=timings,
        )
