"""The ingestion pipeline: one source file through ingest -> ocr -> math -> embed -> store.

Data flows one way: each stage gets the previous stage's dataclasses and never calls a later
stage. A document is committed to the database in one transaction (all its rows or none), and
only then are its vectors added to the FAISS indexes; :meth:`Store.sync` repairs an index that
a crash left behind the database.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from sqlalchemy.exc import IntegrityError

from scipix_search.config import Settings
from scipix_search.embed import FormulaEncoder, TextEncoder
from scipix_search.exceptions import InputError, LatexParseError, ScipixError
from scipix_search.ingest import (
    ParsedDocument,
    ParsedEquation,
    find_equation_regions,
    merge_source_and_pdf,
    open_pdf,
    parse_formula_collection,
    parse_latex_source,
    parse_pdf,
    read_input,
    regions_to_equations,
    sha256_bytes,
    sniff,
)
from scipix_search.math import parse_formula, to_mathml
from scipix_search.store import IndexSpec, Store, repo

if TYPE_CHECKING:
    from scipix_search.ocr import LatexRecognizer, TextRecognizer
from scipix_search.store.repo import EquationExtras

logger = logging.getLogger(__name__)

Status = Literal["added", "present", "failed"]
# Below this, an OCR read of a PDF crop is worse than the text layer's glyph LaTeX.
OCR_MIN_CONFIDENCE = 0.3


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

    def __init__(
        self,
        settings: Settings,
        *,
        text_encoder: TextEncoder | None = None,
        formula_encoder: FormulaEncoder | None = None,
    ) -> None:
        self.settings = settings
        self.store = Store(settings)
        self._text_encoder = text_encoder
        self.formula_encoder = formula_encoder or FormulaEncoder()
        self._recognizer: LatexRecognizer | None = None
        self._recognizer_checked = False
        self._text_recognizer: TextRecognizer | None = None

    @property
    def text_encoder(self) -> TextEncoder:
        if self._text_encoder is None:
            self._text_encoder = TextEncoder.from_settings(self.settings)
        return self._text_encoder

    def passage_spec(self) -> IndexSpec:
        encoder = self.text_encoder
        return IndexSpec("passages", encoder.name, encoder.dim)

    @property
    def formula_recognizer(self) -> LatexRecognizer | None:
        """The formula OCR model for PDF equation crops, or None when it is switched off.

        With ``pdf_equation_ocr=auto`` a model that was never built means the text-layer LaTeX
        is used (logged once); a model that is built but broken raises, it is never hidden.
        """
        if not self._recognizer_checked:
            self._recognizer_checked = True
            mode = self.settings.pdf_equation_ocr
            if mode != "off":
                from scipix_search.exceptions import ModelNotFoundError
                from scipix_search.ocr import LatexRecognizer

                try:
                    self._recognizer = LatexRecognizer.from_settings(self.settings)
                except ModelNotFoundError:
                    if mode == "on":
                        raise
                    logger.warning(
                        "formula OCR model not built: PDF equations keep their text-layer LaTeX "
                        "(run `scipix-search models build`)"
                    )
        return self._recognizer

    @property
    def text_recognizer(self) -> TextRecognizer:
        """RapidOCR text lines for page scans (loaded on first use)."""
        if self._text_recognizer is None:
            from scipix_search.ocr import TextRecognizer

            self._text_recognizer = TextRecognizer.from_settings(self.settings)
        return self._text_recognizer

    def formula_spec(self) -> IndexSpec:
        encoder = self.formula_encoder
        return IndexSpec("equations", encoder.name, encoder.dim)

    def index_specs(self) -> list[IndexSpec]:
        return [self.passage_spec(), self.formula_spec()]

    def sync_indexes(self) -> None:
        for spec in self.index_specs():
            self.store.sync(spec)

    # -- stages -------------------------------------------------------------------------
    def parse(
        self, data: bytes, name: str, sha256: str, *, source_path: Path | None = None
    ) -> ParsedDocument:
        """Ingest stage: bytes to a ParsedDocument, by content type (magic bytes).

        ``source_path`` is where the bytes came from on disk, if anywhere: a ``.tex`` main file
        is then parsed in place so that its ``\\input`` files next to it are found.
        """
        kind = sniff(data, name)
        if kind == "pdf":
            return self._parse_pdf(data, name, sha256)
        if kind == "tex" and source_path is not None:
            parsed = parse_latex_source(source_path, max_bytes=self.settings.max_file_bytes)
            parsed.source, parsed.sha256 = name, sha256
            return parsed
        if kind in ("tex", "targz", "collection"):
            # The source parsers read from disk (a .tex may \\input siblings; archives unpack).
            with tempfile.TemporaryDirectory(prefix="scipix-") as tmp:
                path = Path(tmp) / Path(name).name
                path.write_bytes(data)
                if kind == "collection":
                    parsed = parse_formula_collection(path, max_bytes=self.settings.max_file_bytes)
                else:
                    parsed = parse_latex_source(path, max_bytes=self.settings.max_file_bytes)
            parsed.source, parsed.sha256 = name, sha256
            return parsed
        if kind == "image":
            from scipix_search.ingest import parse_image
            from scipix_search.ocr import LatexRecognizer, load_image

            image = load_image(
                data,
                max_pixels=self.settings.max_image_pixels,
                max_bytes=self.settings.max_file_bytes,
            )
            # An image needs the formula model even where PDFs run without it.
            latex_recognizer = self.formula_recognizer or LatexRecognizer.from_settings(
                self.settings
            )
            return parse_image(
                image,
                name,
                sha256,
                latex_recognizer=latex_recognizer,
                text_recognizer=self.text_recognizer,
            )
        raise InputError(f"{name}: {kind} input is not supported")

    def _parse_pdf(
        self, data: bytes, name: str, sha256: str, *, ocr_equations: bool = True
    ) -> ParsedDocument:
        parsed = parse_pdf(data, name, sha256, max_pages=self.settings.max_pages)
        recognizer = self.formula_recognizer if ocr_equations else None
        doc = open_pdf(data, name, max_pages=self.settings.max_pages)
        try:
            # inline math of prose lines too: stored with display=False, never OCR'd
            regions = find_equation_regions(doc, render=recognizer is not None, inline=True)
        finally:
            doc.close()
        # One OCR batch per document (crops share a font size, so the recognizer scales them
        # all by their pooled glyph height); multi-row displays are read row by row.
        parsed.equations = regions_to_equations(
            regions, recognizer, min_confidence=OCR_MIN_CONFIDENCE
        )
        self._ocr_scanned_pages(data, name, parsed)
        return parsed

    def _ocr_scanned_pages(self, data: bytes, name: str, parsed: ParsedDocument) -> None:
        """Pages without a text layer (scans) get their passages from text OCR."""
        scanned = [p for p in parsed.pages if not p.has_text_layer]
        if not scanned:
            return
        import pymupdf

        from scipix_search.ingest import lines_to_passages, scale_passages

        text_recognizer = self.text_recognizer
        dpi = 200
        doc = open_pdf(data, name, max_pages=self.settings.max_pages)
        try:
            for page in scanned:
                pixmap = doc[page.number - 1].get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB)
                pixels = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(
                    pixmap.height, pixmap.width, pixmap.n
                )[:, :, :3]
                passages = lines_to_passages(
                    text_recognizer.read_array(pixels, page=page.number - 1),
                    page.number,
                    start_order=len(parsed.passages),
                )
                scale_passages(passages, 72.0 / dpi)
                parsed.passages.extend(passages)
                logger.info(
                    "%s: page %d has no text layer; OCR read %d passages",
                    name,
                    page.number,
                    len(passages),
                )
        finally:
            doc.close()

    def enrich_equations(
        self, equations: list[ParsedEquation]
    ) -> tuple[list[EquationExtras], np.ndarray]:
        """Math and embed stages for equations: canonical form, MathML, structural vector.

        Equations whose LaTeX cannot be parsed are kept (their text is still worth showing) but
        get no vector; the mask of the returned array says which rows have one.
        """
        extras: list[EquationExtras] = []
        for equation in equations:
            try:
                formula = parse_formula(equation.latex)
            except LatexParseError:
                extras.append(EquationExtras(None, None, None))
                continue
            try:
                mathml = to_mathml(equation.latex, display=equation.display)
            except LatexParseError:
                mathml = None
            vector = self.formula_encoder.encode_document([formula])[0]
            extras.append(EquationExtras(formula.canonical, mathml, vector))
        has_vector = np.array([x.embedding is not None for x in extras], dtype=bool)
        return extras, has_vector

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
            source = self.parse(tex, source_path.name, tex_sha, source_path=source_path)
            compiled = self._parse_pdf(pdf, pdf_path.name, pdf_sha, ocr_equations=False)
            return merge_source_and_pdf(source, compiled, name=name, sha256=sha256)

        return self._ingest(parse, name, sha256)

    def ingest_bytes(
        self, data: bytes, name: str, *, source_path: Path | None = None
    ) -> IngestOutcome:
        """Ingest one file's bytes (``source_path``: where they are on disk, if anywhere)."""
        sha256 = sha256_bytes(data)
        return self._ingest(
            lambda: self.parse(data, name, sha256, source_path=source_path), name, sha256
        )

    def _ingest(self, parse: Callable[[], ParsedDocument], name: str, sha256: str) -> IngestOutcome:
        timings: dict[str, float] = {}
        with self.store.session() as session:
            existing = repo.get_document_by_sha(session=session, sha256=sha256)
            if existing is not None:
                return IngestOutcome(name, "present", existing.id)
        try:
            started = time.perf_counter()
            parsed = parse()
            timings["extract"] = time.perf_counter() - started

            started = time.perf_counter()
            vectors = self.text_encoder.encode_document([p.text for p in parsed.passages])
            extras, has_vector = self.enrich_equations(parsed.equations)
            timings["embed"] = time.perf_counter() - started
        except ScipixError as exc:
            reason = str(exc) if name in str(exc) else f"{name}: {exc}"
            logger.info("failed %s: %s", name, reason, extra={"action": "ingest", "source": name})
            return IngestOutcome(name, "failed", reason=reason)

        started = time.perf_counter()
        try:
            with self.store.session() as session:
                document = repo.add_document(
                    session=session,
                    parsed=parsed,
                    passage_vectors=vectors,
                    equation_extras=extras,
                )
                document_id = document.id
                passage_ids = [p.id for p in document.passages]
                equation_ids = [e.id for e in document.equations]
        except IntegrityError:
            # Another process stored the same file between our check and our commit.
            with self.store.session() as session:
                existing = repo.get_document_by_sha(session=session, sha256=sha256)
            return IngestOutcome(name, "present", existing.id if existing else None)
        self.store.add_vectors(self.passage_spec(), np.asarray(passage_ids), vectors)
        if has_vector.any():
            self.store.add_vectors(
                self.formula_spec(),
                np.asarray(equation_ids)[has_vector],
                np.stack([x.embedding for x in extras if x.embedding is not None]),
            )
        timings["store"] = time.perf_counter() - started
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
            timings=timings,
        )
