"""The indexer: one input through parse -> enrich -> store, orchestrated.

Data flows one way: each stage gets the previous stage's dataclasses and never calls a later
stage. The indexer itself loads no model (it asks its :class:`Models`), parses nothing
(``_parse``), computes no record (``_enrich``) and writes nothing (``Store.add_document``
commits a document in one transaction, then adds its vectors to the FAISS indexes;
:meth:`Store.sync` repairs an index that a crash left behind the database).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from scipix_search.config import Settings
from scipix_search.exceptions import ScipixError
from scipix_search.ingest import (
    COLLECTION_SUFFIXES,
    TEX_SUFFIXES,
    ParsedDocument,
    magic,
    merge_source_and_pdf,
    read_input,
    sha256_bytes,
    sniff,
)
from scipix_search.pipeline._duplicates import find_original
from scipix_search.pipeline._enrich import drop_long_equations, enrich
from scipix_search.pipeline._models import Models
from scipix_search.pipeline._parse import parse_input, parse_pdf_input
from scipix_search.store import IndexSpec, Store, keep_original, repo

if TYPE_CHECKING:
    from scipix_search.embed import FormulaEncoder, TextEncoder

logger = logging.getLogger(__name__)

Status = Literal["added", "present", "failed"]


def original_suffix(data: bytes, name: str) -> str:
    """The suffix of a file kept in the content store: its type by magic bytes, else its name's."""
    kind = magic(data)
    if kind is not None:
        return {"gzip": ".tar.gz", "jpeg": ".jpg"}.get(kind, f".{kind}")
    suffix = Path(name).suffix.lower()
    return suffix if suffix in TEX_SUFFIXES | COLLECTION_SUFFIXES else ".txt"


@dataclass(slots=True)
class IngestOutcome:
    """What happened to one input."""

    name: str
    status: Status
    document_id: int | None = None
    reason: str | None = None
    passages: int = 0
    equations: int = 0
    pages: int = 0  # of the document added (0 when nothing was added)
    # wall seconds per stage (extract, embed, store), and the CPU seconds of this process in
    # each (user + system, all its threads): the figure that other processes' load on a shared
    # machine hardly changes
    timings: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    duplicate_of: int | None = None  # stored as another build of this document


class Indexer:
    """Ingests files into a :class:`Store`, with the models of one :class:`Models` registry.

    Args:
        settings: data folder, database, input limits; also the models' settings when
            ``models`` is not given.
        models: the registry to share (the API hands its own to the embedded worker).
        text_encoder: an already loaded passage encoder, for a registry built here.
        formula_encoder: likewise for the formula encoder.

    Example:
        >>> indexer = Indexer(settings)
        >>> indexer.ingest_file(Path("paper.pdf")).status  # doctest: +SKIP
        'added'
    """

    def __init__(
        self,
        settings: Settings,
        *,
        models: Models | None = None,
        text_encoder: TextEncoder | None = None,
        formula_encoder: FormulaEncoder | None = None,
    ) -> None:
        if models is not None and (text_encoder is not None or formula_encoder is not None):
            raise ValueError("give either models or encoders, not both")
        self.settings = settings
        self.models = models or Models(
            settings, text_encoder=text_encoder, formula_encoder=formula_encoder
        )
        self.store = Store(settings)

    # -- indexes ------------------------------------------------------------------------
    def passage_spec(self) -> IndexSpec:
        encoder = self.models.text_encoder
        return IndexSpec("passages", encoder.name, encoder.dim)

    def formula_spec(self) -> IndexSpec:
        encoder = self.models.formula_encoder
        return IndexSpec("equations", encoder.name, encoder.dim)

    def index_specs(self) -> list[IndexSpec]:
        return [self.passage_spec(), self.formula_spec()]

    def sync_indexes(self) -> None:
        """Repair the index files against the database (none where ingestion writes only rows)."""
        if not self.settings.worker_writes_index:
            return
        for spec in self.index_specs():
            self.store.sync(spec)

    # -- inputs -------------------------------------------------------------------------
    def ingest_file(self, path: Path) -> IngestOutcome:
        """Ingest one file; bad input becomes a ``failed`` outcome with a one-line reason."""
        try:
            data = read_input(path, max_bytes=self.settings.max_file_bytes)
        except OSError as exc:
            return IngestOutcome(path.name, "failed", reason=f"{path.name}: {exc.strerror or exc}")
        except ScipixError as exc:
            return IngestOutcome(path.name, "failed", reason=str(exc))
        return self.ingest_bytes(data, path.name, source_path=path)

    def ingest_pair(self, source_path: Path, pdf_path: Path) -> IngestOutcome:
        """Ingest a LaTeX main file and the PDF compiled from it as one document.

        The document has the PDF's pages and passages, and the source's exact equations at
        the places of the matching PDF regions (see :func:`merge_source_and_pdf`). The PDF's
        equations are not OCR'd: the source's LaTeX is better than any reading of them.
        """
        name = f"{pdf_path.name} + {source_path.name}"
        try:
            tex = read_input(source_path, max_bytes=self.settings.max_file_bytes)
            pdf = read_input(pdf_path, max_bytes=self.settings.max_file_bytes)
        except OSError as exc:
            return IngestOutcome(name, "failed", reason=f"{name}: {exc.strerror or exc}")
        except ScipixError as exc:
            return IngestOutcome(name, "failed", reason=str(exc))
        kinds = (sniff(tex, source_path.name), sniff(pdf, pdf_path.name))
        if kinds != ("tex", "pdf"):
            return IngestOutcome(
                name, "failed", reason=f"{name}: expected a LaTeX source and a PDF, got {kinds}"
            )
        tex_sha, pdf_sha = sha256_bytes(tex), sha256_bytes(pdf)
        # The pair is its own document: either file alone may be stored besides it.
        sha256 = sha256_bytes(f"source+pdf:{tex_sha}:{pdf_sha}".encode())

        def parse() -> ParsedDocument:
            source = parse_input(
                tex,
                source_path.name,
                tex_sha,
                settings=self.settings,
                models=self.models,
                source_path=source_path,
            )
            compiled = parse_pdf_input(
                pdf,
                pdf_path.name,
                pdf_sha,
                settings=self.settings,
                models=self.models,
                ocr_equations=False,
            )
            return merge_source_and_pdf(source, compiled, name=name, sha256=sha256)

        # The PDF is the original kept: the pages come from it. The source is not kept, since
        # no row would name it and deleting the document could not find it.
        return self._ingest(parse, name, sha256, originals=[(pdf, pdf_path.name)])

    def ingest_bytes(
        self, data: bytes, name: str, *, source_path: Path | None = None
    ) -> IngestOutcome:
        """Ingest one file's bytes (``source_path``: where they are on disk, if anywhere)."""
        sha256 = sha256_bytes(data)

        def parse() -> ParsedDocument:
            return parse_input(
                data,
                name,
                sha256,
                settings=self.settings,
                models=self.models,
                source_path=source_path,
            )

        return self._ingest(parse, name, sha256, originals=[(data, name)])

    # -- one document -------------------------------------------------------------------
    def _present(self, sha256: str) -> int | None:
        with self.store.session() as session:
            existing = repo.get_document_by_sha(session=session, sha256=sha256)
            return None if existing is None else existing.id

    def _ingest(
        self,
        parse: Callable[[], ParsedDocument],
        name: str,
        sha256: str,
        *,
        originals: list[tuple[bytes, str]],
    ) -> IngestOutcome:
        existing = self._present(sha256)
        if existing is not None:
            return IngestOutcome(name, "present", existing)
        timings: dict[str, float] = {}
        cpu: dict[str, float] = {}
        try:
            started, started_cpu = time.perf_counter(), time.process_time()
            parsed = drop_long_equations(parse(), self.settings.max_formula_chars)
            timings["extract"] = time.perf_counter() - started
            cpu["extract"] = time.process_time() - started_cpu
            original = find_original(self.store, parsed)
            if original is not None:
                # Another build of a stored paper: kept and linked, not indexed twice.
                parsed = replace(parsed, passages=[], equations=[])

            started, started_cpu = time.perf_counter(), time.process_time()
            records = enrich(
                parsed,
                text_encoder=self.models.text_encoder,
                formula_encoder=self.models.formula_encoder,
            )
            timings["embed"] = time.perf_counter() - started
            cpu["embed"] = time.process_time() - started_cpu
        except ScipixError as exc:
            reason = str(exc) if name in str(exc) else f"{name}: {exc}"
            logger.info("failed %s: %s", name, reason, extra={"action": "ingest", "source": name})
            return IngestOutcome(name, "failed", reason=reason)

        started, started_cpu = time.perf_counter(), time.process_time()
        # Originals first, by content (see store/_originals.py), then the row that names the
        # first: a crash between leaves an unnamed file, never a row naming a missing one.
        keys = [
            keep_original(self.settings, data, original_suffix(data, n)) for data, n in originals
        ]
        document_id = self.store.add_document(
            parsed,
            passage_vectors=records.passage_vectors,
            equation_extras=records.equation_extras,
            # false: several machines, no shared folder; each API process catches up itself
            write_index=self.settings.worker_writes_index,
            passage_spec=self.passage_spec(),
            equation_spec=self.formula_spec(),
            stored_file=keys[0] if keys else None,
            duplicate_of=original,
        )
        if document_id is None:
            # Another process stored the same file between our check and our commit.
            return IngestOutcome(name, "present", self._present(sha256))
        timings["store"] = time.perf_counter() - started
        cpu["store"] = time.process_time() - started_cpu
        if original is not None:
            logger.info(
                "added %s as another build of document %d (same title and authors): not indexed",
                name,
                original,
                extra={"action": "ingest", "document_id": document_id, "source": name},
            )
        logger.info(
            "added %s: %d pages, %d passages, %d equations",
            name,
            parsed.page_count,
            len(parsed.passages),
            len(parsed.equations),
            extra={"action": "ingest", "document_id": document_id, "source": name},
        )
        return IngestOutcome(
            name,
            "added",
            document_id,
            passages=len(parsed.passages),
            equations=len(parsed.equations),
            pages=parsed.page_count,
            timings=timings,
            cpu=cpu,
            duplicate_of=original,
        )
