"""Repository functions over the SQLAlchemy models (keyword-only, one concern each)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, delete, func, select, text
from sqlalchemy.orm import Session, joinedload

from scipix_search.store._fts import rarest_words
from scipix_search.store._paper import PaperFields
from scipix_search.store.models import Document, Equation, Page, Passage, split_authors

if TYPE_CHECKING:
    # Only annotations: importing ingest at run time loads PyMuPDF (see store/_store.py);
    # numpy is imported in the functions that use it (`stats` needs none).
    import numpy as np
    from sqlalchemy import Select

    from scipix_search.ingest import ParsedDocument


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


# Hydration reads a few rows and their papers: one joined statement (a selectin load is a
# second round trip; 3.4 -> 2.5 ms of CPU for six equations at 100k, under load).
def get_passages(*, session: Session, ids: Sequence[int]) -> dict[int, Passage]:
    rows = session.scalars(
        select(Passage).where(Passage.id.in_(list(ids))).options(joinedload(Passage.document))
    )
    return {p.id: p for p in rows}


def get_equations(*, session: Session, ids: Sequence[int]) -> dict[int, Equation]:
    rows = session.scalars(
        select(Equation).where(Equation.id.in_(list(ids))).options(joinedload(Equation.document))
    )
    return {e.id: e for e in rows}


@dataclass(frozen=True, slots=True)
class EquationHitRow:
    """What an equation hit shows of its row and its paper: hydration reads these columns
    only, by one Core statement (not the ORM rows with their papers joined and every column,
    the vector included: 1.5 -> 0.5 ms of CPU for ten hits at 200k equations)."""

    id: int
    document_id: int
    page: int | None
    bbox: list[float] | None
    latex: str
    number: str | None
    display: bool
    source: str
    title: str | None


_DOCUMENTS = Document.__table__
_EQUATION_HIT_ROWS = (
    select(
        Equation.__table__.c.id,
        Equation.__table__.c.document_id,
        Equation.__table__.c.page,
        Equation.__table__.c.x0,
        Equation.__table__.c.y0,
        Equation.__table__.c.x1,
        Equation.__table__.c.y1,
        Equation.__table__.c.latex,
        Equation.__table__.c.number,
        Equation.__table__.c.display,
        _DOCUMENTS.c.source,
        _DOCUMENTS.c.title,
    )
    .join_from(Equation.__table__, _DOCUMENTS, Equation.__table__.c.document_id == _DOCUMENTS.c.id)
    .where(Equation.__table__.c.id.in_(bindparam("ids", expanding=True)))
)


def equation_hit_rows(*, session: Session, ids: Sequence[int]) -> dict[int, EquationHitRow]:
    """The shown columns of equations and their papers by id (one query; absent ids were
    deleted). The box is None unless all four sides are known, as ``Equation.bbox``."""
    if not ids:
        return {}
    out: dict[int, EquationHitRow] = {}
    rows = session.connection().execute(_EQUATION_HIT_ROWS, {"ids": list(ids)})
    for eq_id, doc, page, x0, y0, x1, y1, latex, number, display, source, title in rows:
        box = None if x0 is None or y0 is None or x1 is None or y1 is None else [x0, y0, x1, y1]
        out[eq_id] = EquationHitRow(
            eq_id, doc, page, box, latex, number, bool(display), source, title
        )
    return out


# The columns shown, by a Core statement: not the ORM rows with every column (the abstract
# too); 0.60 -> 0.37 ms of CPU for ten papers at 200k, on every query the API answers.
_PAPER_FIELDS = select(
    _DOCUMENTS.c.id,
    _DOCUMENTS.c.title,
    _DOCUMENTS.c.authors,
    _DOCUMENTS.c.year,
    _DOCUMENTS.c.arxiv_id,
    _DOCUMENTS.c.doi,
).where(_DOCUMENTS.c.id.in_(bindparam("ids", expanding=True)))


def paper_fields(*, session: Session, ids: Sequence[int]) -> dict[int, PaperFields]:
    """The shown metadata of documents by id (one query; absent ids were deleted)."""
    if not ids:
        return {}
    rows = session.connection().execute(_PAPER_FIELDS, {"ids": sorted(set(ids))})
    return {
        doc: PaperFields(title, split_authors(authors), year, arxiv_id, doi)
        for doc, title, authors, year, arxiv_id, doi in rows
    }


# Rank-time lookups of a search (~200 ids each): Core statements on the tables, run on the
# session's connection with the ids as one expanding parameter, so neither the ORM's row
# loading nor a coercion of each id literal runs per call (equation_keys of 200 random ids
# 4.4 -> 3.2 ms of CPU at 100k equations).
_EQUATIONS = Equation.__table__
_EQUATION_KEYS = select(
    _EQUATIONS.c.id, _EQUATIONS.c.document_id, _EQUATIONS.c.display, _EQUATIONS.c.latex
).where(_EQUATIONS.c.id.in_(bindparam("ids", expanding=True)))
_EQUATION_EMBEDDINGS = select(_EQUATIONS.c.id, _EQUATIONS.c.embedding).where(
    _EQUATIONS.c.id.in_(bindparam("ids", expanding=True))
)
_PASSAGE_EMBEDDINGS = select(Passage.__table__.c.id, Passage.__table__.c.embedding).where(
    Passage.__table__.c.id.in_(bindparam("ids", expanding=True))
)
_PASSAGE_DOCUMENTS = select(Passage.__table__.c.id, Passage.__table__.c.document_id).where(
    Passage.__table__.c.id.in_(bindparam("ids", expanding=True))
)


@dataclass(frozen=True, slots=True)
class EquationKey:
    """What ranking an equation needs of its row: its paper, kind and LaTeX (no vector)."""

    document_id: int
    display: bool
    latex: str


def _by_ids(session: Session, statement: Select[Any], ids: Sequence[int]) -> Iterable[Any]:
    """Rows of ``statement`` (``SELECT columns FROM table WHERE id IN :ids``) for ``ids``.

    On SQLite the statement's text is written once per (statement, id count) and sent as is:
    SQLAlchemy's rendering of an expanding IN of ~170 ids and its result processing cost more
    than SQLite's lookups (keys and vectors of 174 random ids at 200k: 1.9 -> 1.5 ms of CPU,
    sqlite3 alone 1.1)."""
    if not ids:
        return ()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return connection.exec_driver_sql(_in_ids_sql(statement, len(ids)), tuple(ids))
    return connection.execute(statement, {"ids": list(ids)})


@functools.lru_cache(maxsize=256)
def _in_ids_sql(statement: Select[Any], n: int) -> str:
    (table,) = statement.get_final_froms()
    assert isinstance(table, Table)  # the statements above read one table each
    columns = ", ".join(column.name for column in statement.selected_columns)
    return f"SELECT {columns} FROM {table.name} WHERE id IN ({', '.join('?' * n)})"


def equation_keys(*, session: Session, ids: Sequence[int]) -> dict[int, EquationKey]:
    """Rank-time columns of equations by id (one query; absent ids were deleted).

    Ranking 200 candidates needs neither their 4 KiB vectors nor their papers' rows, which
    :func:`get_equations` loads; only the hits shown do.
    """
    if not ids:
        return {}
    rows = _by_ids(session, _EQUATION_KEYS, ids)
    return {r[0]: EquationKey(r[1], bool(r[2]), r[3]) for r in rows}


def equation_embeddings(*, session: Session, ids: Sequence[int]) -> dict[int, bytes | None]:
    """Stored vectors of equations by id (one query): for candidates the index did not score,
    or scored only roughly (a compressed index)."""
    if not ids:
        return {}
    rows = _by_ids(session, _EQUATION_EMBEDDINGS, ids)
    return {r[0]: r[1] for r in rows}


def passage_embeddings(*, session: Session, ids: Sequence[int]) -> dict[int, bytes | None]:
    """Stored vectors of passages by id (one query; absent ids were deleted): a compressed
    index's shortlist re-scored exactly."""
    return {r[0]: r[1] for r in _by_ids(session, _PASSAGE_EMBEDDINGS, ids)}


def passage_documents(*, session: Session, ids: Sequence[int]) -> dict[int, int]:
    """The document of each passage by id (one query; absent ids were deleted)."""
    return {r[0]: r[1] for r in _by_ids(session, _PASSAGE_DOCUMENTS, ids)}


_FTS_WORD = re.compile(r"\w+", re.UNICODE)
# Words that match nearly every passage: they slow keyword search down and add nothing to bm25.
_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was "
    "were which with we our can not but also these those their there been into than then".split()
)
_MAX_TERMS = 16


def fulltext_passages(*, session: Session, query: str, limit: int) -> list[tuple[int, float]]:
    """Keyword search over passages: SQLite FTS5 (bm25) or PostgreSQL full text (ts_rank).

    Returns ``(passage id, score)`` best first; any word may match (OR), ranking rewards more.
    On SQLite a large store scores the query's rarest words only (``_fts.rarest_words``).
    """
    words = list(dict.fromkeys(w for w in _FTS_WORD.findall(query) if w.lower() not in _STOPWORDS))
    words = words[:_MAX_TERMS]
    if not words:
        return []
    if session.get_bind().dialect.name == "sqlite":
        # the rarest words within a postings budget: bm25 over common words' rows is the cost
        match = " OR ".join(f'"{w}"' for w in rarest_words(session, words))
        rows = session.execute(
            text(
                "SELECT rowid, bm25(passages_fts) AS rank FROM passages_fts "
                "WHERE passages_fts MATCH :q ORDER BY rank LIMIT :k"
            ),
            {"q": match, "k": limit},
        ).all()
        return [(int(r[0]), -float(r[1])) for r in rows]
    tsquery = " | ".join(w.replace("'", "") for w in words)
    rows = session.execute(
        text(
            "SELECT id, ts_rank(to_tsvector('english', text), q) AS rank "
            "FROM passages, to_tsquery('english', :q) q "
            "WHERE to_tsvector('english', text) @@ q ORDER BY rank DESC LIMIT :k"
        ),
        {"q": tsquery, "k": limit},
    ).all()
    return [(int(r[0]), float(r[1])) for r in rows]
