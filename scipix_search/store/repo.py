"""Repository functions over the SQLAlchemy models (keyword-only, one concern each).

This module writes and lists documents and reads their vectors in bulk; what a search reads
of rows by id lives in ``store/_lookups.py`` and keyword search in ``store/_fts.py``. Their
functions are re-exported here: every caller reads them as ``repo.<name>``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from scipix_search.store._fts import fulltext_passages
from scipix_search.store._lookups import (
    EquationHitRow,
    EquationKey,
    equation_embeddings,
    equation_hit_rows,
    equation_keys,
    get_equations,
    get_passages,
    paper_fields,
    passage_documents,
    passage_embeddings,
)
from scipix_search.store.models import Document, Equation, Page, Passage

if TYPE_CHECKING:
    # Only annotations: importing ingest at run time loads PyMuPDF (see store/_store.py);
    # numpy is imported in the functions that use it (`stats` needs none).
    import numpy as np

    from scipix_search.ingest import ParsedDocument

__all__ = [
    "EquationExtras",
    "EquationHitRow",
    "EquationKey",
    "add_document",
    "count_documents_with_file",
    "count_rows",
    "count_vectors",
    "delete_document",
    "documents_titled_like",
    "equation_embeddings",
    "equation_hit_rows",
    "equation_keys",
    "fulltext_passages",
    "get_document",
    "get_document_by_sha",
    "get_equations",
    "get_passages",
    "iter_equation_latex",
    "iter_vectors",
    "list_documents",
    "paper_fields",
    "passage_documents",
    "passage_embeddings",
    "vector_ids",
]


@dataclass(slots=True)
class EquationExtras:
    """What later stages computed for one parsed equation (same order as the document's)."""

    canonical: str | None
    mathml: str | None
    embedding: np.ndarray | None


def _box(bbox: Sequence[float] | None) -> dict[str, float | None]:
    if bbox is None:
        return {"x0": None, "y0": None, "x1": None, "y1": None}
    x0, y0, x1, y1 = (float(v) for v in bbox)
    return {"x0": x0, "y0": y0, "x1": x1, "y1": y1}


def get_document_by_sha(*, session: Session, sha256: str) -> Document | None:
    return session.scalar(select(Document).where(Document.sha256 == sha256))


def get_document(*, session: Session, document_id: int) -> Document | None:
    return session.get(Document, document_id)


def add_document(
    *,
    session: Session,
    parsed: ParsedDocument,
    passage_vectors: np.ndarray,
    equation_extras: Sequence[EquationExtras] = (),
    stored_file: str | None = None,
    duplicate_of: int | None = None,
) -> Document:
    """Add a parsed document with its pages, passages and equations (flushes for ids).

    ``stored_file`` is the content-store key of its original file, if one was kept;
    ``duplicate_of`` the document it is another build of (it then comes without passages
    and equations, see ``pipeline/_indexer.py``).
    """
    import numpy as np

    if len(passage_vectors) != len(parsed.passages):
        raise ValueError("one vector per passage is required")
    if equation_extras and len(equation_extras) != len(parsed.equations):
        raise ValueError("one EquationExtras per equation is required")
    document = Document(
        sha256=parsed.sha256,
        source=parsed.source,
        kind=parsed.kind,
        title=parsed.title,
        page_count=parsed.page_count,
        stored_file=stored_file,
        authors="; ".join(parsed.authors) or None,
        year=parsed.year,
        abstract=parsed.abstract,
        arxiv_id=parsed.arxiv_id,
        doi=parsed.doi,
        duplicate_of=duplicate_of,
    )
    document.pages = [
        Page(number=p.number, width=p.width, height=p.height, has_text_layer=p.has_text_layer)
        for p in parsed.pages
    ]
    document.passages = [
        Passage(
            page=p.page,
            order=p.order,
            text=p.text,
            embedding=np.asarray(vec, dtype=np.float32).tobytes(),
            **_box(p.bbox),
        )
        for p, vec in zip(parsed.passages, passage_vectors, strict=True)
    ]
    extras = list(equation_extras) or [EquationExtras(None, None, None)] * len(parsed.equations)
    document.equations = [
        Equation(
            page=e.page,
            order=e.order,
            latex=e.latex,
            canonical=x.canonical,
            mathml=x.mathml,
            number=e.number,
            display=e.display,
            origin=e.origin,
            confidence=e.confidence,
            embedding=None
            if x.embedding is None
            else np.asarray(x.embedding, np.float32).tobytes(),
            **_box(e.bbox),
        )
        for e, x in zip(parsed.equations, extras, strict=True)
    ]
    session.add(document)
    session.flush()
    return document


def delete_document(*, session: Session, document_id: int) -> tuple[list[int], list[int]] | None:
    """Delete a document and its rows; returns the (passage ids, equation ids) it had."""
    document = session.get(Document, document_id)
    if document is None:
        return None
    passage_ids = list(
        session.scalars(select(Passage.id).where(Passage.document_id == document_id))
    )
    equation_ids = list(
        session.scalars(select(Equation.id).where(Equation.document_id == document_id))
    )
    # Bulk deletes: ORM cascades would load every row first.
    session.execute(delete(Passage).where(Passage.document_id == document_id))
    session.execute(delete(Equation).where(Equation.document_id == document_id))
    session.execute(delete(Page).where(Page.document_id == document_id))
    session.execute(delete(Document).where(Document.id == document_id))
    return passage_ids, equation_ids


def documents_titled_like(*, session: Session, word: str, limit: int = 200) -> list[Document]:
    """Documents (not themselves duplicates) whose title holds ``word``, case-insensitive:
    the candidates a near-duplicate check compares in full."""
    query = (
        select(Document)
        .where(Document.duplicate_of.is_(None))
        .where(func.lower(Document.title).contains(word.lower()))
        .order_by(Document.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def count_documents_with_file(*, session: Session, stored_file: str) -> int:
    """How many documents name this original (a pair and its PDF alone share one)."""
    query = select(func.count()).select_from(Document).where(Document.stored_file == stored_file)
    return int(session.scalar(query) or 0)


def list_documents(*, session: Session, offset: int = 0, limit: int = 50) -> list[Document]:
    return list(session.scalars(select(Document).order_by(Document.id).offset(offset).limit(limit)))


def count_rows(*, session: Session) -> dict[str, int]:
    """Row counts per table, and how many passages/equations carry a vector."""
    return {
        "documents": session.scalar(select(func.count(Document.id))) or 0,
        "pages": session.scalar(select(func.count(Page.id))) or 0,
        "passages": session.scalar(select(func.count(Passage.id))) or 0,
        "passage_vectors": session.scalar(
            select(func.count(Passage.id)).where(Passage.embedding.is_not(None))
        )
        or 0,
        "equations": session.scalar(select(func.count(Equation.id))) or 0,
        "equation_vectors": session.scalar(
            select(func.count(Equation.id)).where(Equation.embedding.is_not(None))
        )
        or 0,
    }


_MODELS: dict[str, type[Passage] | type[Equation]] = {"passages": Passage, "equations": Equation}


def vector_ids(*, session: Session, kind: str) -> np.ndarray:
    """Ids of the rows of ``kind`` that carry a vector."""
    import numpy as np

    model = _MODELS[kind]
    ids = session.scalars(select(model.id).where(model.embedding.is_not(None)))
    return np.fromiter(ids, dtype=np.int64)


def count_vectors(*, session: Session, kind: str) -> int:
    """How many rows of ``kind`` carry a vector (a cheap first check of an index's size)."""
    model = _MODELS[kind]
    return session.scalar(select(func.count(model.id)).where(model.embedding.is_not(None))) or 0


def iter_vectors(
    *, session: Session, kind: str, ids: np.ndarray | None = None, batch: int = 5000
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(ids, vectors)`` batches of stored vectors, optionally only for ``ids``."""
    import numpy as np

    model = _MODELS[kind]
    if ids is None:
        ids = vector_ids(session=session, kind=kind)
    for start in range(0, len(ids), batch):
        chunk = [int(i) for i in ids[start : start + batch]]
        rows = session.execute(
            select(model.id, model.embedding)
            .where(model.id.in_(chunk), model.embedding.is_not(None))
            .order_by(model.id)
        ).all()
        if not rows:
            continue
        out_ids = np.array([r[0] for r in rows], dtype=np.int64)
        vectors = np.stack([np.frombuffer(b, dtype=np.float32) for _, b in rows if b is not None])
        yield out_ids, vectors


def iter_equation_latex(*, session: Session, batch: int = 5000) -> Iterator[tuple[int, str]]:
    """Yield ``(id, latex)`` of every stored equation, in id order (for search-side indexes)."""
    last = 0
    while True:
        rows = session.execute(
            select(Equation.id, Equation.latex)
            .where(Equation.id > last)
            .order_by(Equation.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from ((int(i), latex) for i, latex in rows)
        last = int(rows[-1][0])
