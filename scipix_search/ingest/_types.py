"""Data that leaves the ingest stage: plain dataclasses, no database or model objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BBox = tuple[float, float, float, float]
"""x0, y0, x1, y1 in PDF points (1/72 inch), origin at the top-left of the page."""

DocumentKind = Literal["pdf", "image", "tex", "collection"]
EquationOrigin = Literal["pdf", "ocr", "tex", "collection"]


@dataclass(slots=True)
class ParsedPage:
    """One page of a source document."""

    number: int  # 1-based
    width: float
    height: float
    has_text_layer: bool = True


@dataclass(slots=True)
class ParsedPassage:
    """A paragraph-level piece of prose with its place on the page."""

    text: str
    page: int | None  # 1-based; None where the source has no pages (LaTeX source)
    bbox: BBox | None
    order: int


@dataclass(slots=True)
class ParsedEquation:
    """An equation as LaTeX, with where it came from and where it sits."""

    latex: str
    page: int | None
    bbox: BBox | None
    display: bool
    origin: EquationOrigin
    order: int = 0
    number: str | None = None  # the printed equation number, e.g. "3" or "2.1"
    confidence: float | None = None


@dataclass(slots=True)
class ParsedDocument:
    """Everything the ingest stage read from one source file."""

    source: str  # file name as ingested
    sha256: str
    kind: DocumentKind
    title: str | None
    pages: list[ParsedPage] = field(default_factory=list)
    passages: list[ParsedPassage] = field(default_factory=list)
    equations: list[ParsedEquation] = field(default_factory=list)
    # What the paper says about itself (see ingest/_meta.py); None or empty where unknown.
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    abstract: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None

    @property
    def page_count(self) -> int:
        return len(self.pages)
