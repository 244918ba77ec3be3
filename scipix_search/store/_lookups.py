"""What a search reads of stored rows by id: rank-time columns, stored vectors, and the
columns a hit shows of its row and its paper.

Split out of ``store/repo.py`` (which re-exports these names: callers read them as
``repo.equation_keys`` and the like). Each lookup is one statement over an id list; the
rank-time ones run ``_by_ids``' SQLite text, the rest Core or joined ORM statements.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session, joinedload

from scipix_search.store._paper import PaperFields
from scipix_search.store.models import Document, Equation, Passage, split_authors

if TYPE_CHECKING:
    from sqlalchemy import Select


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
