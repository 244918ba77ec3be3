"""SQLAlchemy 2 typed models. Tables are created only by Alembic migrations (``migrations/``).

Vectors live here too (``embedding`` columns, float32 bytes): the database is the source of
truth and every FAISS index can be rebuilt from it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class BoxMixin:
    """A bounding box in PDF points, top-left origin; all four are NULL where unknown."""

    x0: Mapped[float | None] = mapped_column(Float)
    y0: Mapped[float | None] = mapped_column(Float)
    x1: Mapped[float | None] = mapped_column(Float)
    y1: Mapped[float | None] = mapped_column(Float)

    @property
    def bbox(self) -> list[float] | None:
        if self.x0 is None or self.y0 is None or self.x1 is None or self.y1 is None:
            return None
        return [self.x0, self.y0, self.x1, self.y1]


def split_authors(authors: str | None) -> list[str]:
    """A document's ``authors`` column as a list (stored joined by "; ")."""
    return [a for a in (authors or "").split("; ") if a]


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    source: Mapped[str] = mapped_column(String(1024))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(Text)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    # The original file in the content store, relative to the data folder
    # (``files/ab/ab12...pdf``, see ``store/_originals.py``); NULL for documents ingested
    # before originals were kept. The page-image endpoint opens only this file.
    stored_file: Mapped[str | None] = mapped_column(String(96))
    # What the paper says about itself (ingest/_meta.py); authors joined by "; ".
    authors: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    abstract: Mapped[str | None] = mapped_column(Text)
    arxiv_id: Mapped[str | None] = mapped_column(String(32))
    doi: Mapped[str | None] = mapped_column(String(256))
    # Another build of that document (same title and authors): kept, not indexed again.
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL", name="fk_documents_duplicate_of")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def author_list(self) -> list[str]:
        return split_authors(self.authors)

    pages: Mapped[list[Page]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )
    passages: Mapped[list[Passage]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )
    equations: Mapped[list[Equation]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )


class Page(Base):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    width: Mapped[float] = mapped_column(Float)
    height: Mapped[float] = mapped_column(Float)
    has_text_layer: Mapped[bool] = mapped_column(Boolean, default=True)

    document: Mapped[Document] = relationship(back_populates="pages")


class Passage(BoxMixin, Base):
    __tablename__ = "passages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    page: Mapped[int | None] = mapped_column(Integer)
    order: Mapped[int] = mapped_column("ord", Integer)
    text: Mapped[str] = mapped_column(Text)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)

    document: Mapped[Document] = relationship(back_populates="passages")


class Equation(BoxMixin, Base):
    __tablename__ = "equations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    page: Mapped[int | None] = mapped_column(Integer)
    order: Mapped[int] = mapped_column("ord", Integer)
    latex: Mapped[str] = mapped_column(Text)
    canonical: Mapped[str | None] = mapped_column(Text)
    mathml: Mapped[str | None] = mapped_column(Text)
    number: Mapped[str | None] = mapped_column(String(32))
    display: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)

    document: Mapped[Document] = relationship(back_populates="equations")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_run_after", "status", "run_after"),
        # One active job per content: set while a job is queued or running, NULL after, so
        # concurrent uploads of the same bytes collide in the database, not in a race.
        Index("ux_jobs_active_sha256", "active_sha256", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active_sha256: Mapped[str | None] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    error: Mapped[str | None] = mapped_column(Text)
    locked_by: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
