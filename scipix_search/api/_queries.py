"""Read-only queries the API needs beyond ``store.repo`` (listing with filters, counts)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scipix_search.search import PaperFilter, paper_conditions
from scipix_search.store import Document, Equation, Page, Passage


def list_documents(
    *,
    session: Session,
    offset: int,
    limit: int,
    kind: str | None = None,
    title: str | None = None,
    sha256: str | None = None,
    papers: PaperFilter | None = None,
) -> tuple[list[Document], int]:
    """One page of documents (newest first) matching the filters, and the total count.

    ``papers`` (``author``/``year``) admits what the searches' filter admits; another build
    of a paper stays listed (with its ``duplicate_of``), as without a filter.
    """
    conditions = [] if papers is None else paper_conditions(papers)
    if kind:
        conditions.append(Document.kind == kind)
    if title:
        conditions.append(func.lower(Document.title).contains(title.lower()))
    if sha256:
        conditions.append(Document.sha256 == sha256.lower())
    count = session.scalar(select(func.count(Document.id)).where(*conditions)) or 0
    rows = session.scalars(
        select(Document).where(*conditions).order_by(Document.id.desc()).offset(offset).limit(limit)
    )
    return list(rows), int(count)


def document_equations(*, session: Session, document_id: int) -> list[Equation]:
    return list(
        session.scalars(
            select(Equation)
            .where(Equation.document_id == document_id)
            .order_by(Equation.page, Equation.order, Equation.id)
        )
    )


def passage_count(*, session: Session, document_id: int) -> int:
    return int(
        session.scalar(select(func.count(Passage.id)).where(Passage.document_id == document_id))
        or 0
    )


def get_equation(*, session: Session, equation_id: int) -> Equation | None:
    return session.get(Equation, equation_id)


def get_page(*, session: Session, document_id: int, number: int) -> Page | None:
    return session.scalar(
        select(Page).where(Page.document_id == document_id, Page.number == number)
    )


def get_placed(*, session: Session, kind: str, item_id: int) -> Equation | Passage | None:
    """An equation or a passage (``kind``) by id, for its document, page and box."""
    if kind == "equation":
        return session.get(Equation, item_id)
    return session.get(Passage, item_id)
