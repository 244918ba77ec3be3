"""Equations: one with its LaTeX, MathML, place and document; and those similar to it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from scipix_search.api import _queries as queries
from scipix_search.api.deps import (
    EquationId,
    EquationSearcherDep,
    ReadKey,
    ServicesDep,
    SessionDep,
    run_limited,
)
from scipix_search.api.schemas import (
    LIMIT_DESCRIPTION,
    NOT_FOUND,
    DocumentPublic,
    EquationDetailPublic,
    HitPublic,
    HitsPublic,
)
from scipix_search.exceptions import NotFoundError

router = APIRouter(prefix="/v1/equations", tags=["equations"])


@router.get(
    "/{equation_id}",
    response_model=EquationDetailPublic,
    dependencies=[ReadKey],
    responses=NOT_FOUND,
)
def get_equation(session: SessionDep, equation_id: EquationId) -> EquationDetailPublic:
    """LaTeX, MathML, page, bounding box, equation number and document of one equation."""
    equation = queries.get_equation(session=session, equation_id=equation_id)
    if equation is None:
        raise NotFoundError(f"equation {equation_id} does not exist", equation_id=equation_id)
    return EquationDetailPublic.model_validate(
        {
            **{
                k: getattr(equation, k)
                for k in EquationDetailPublic.model_fields
                if k != "document"
            },
            "document": DocumentPublic.model_validate(equation.document),
        }
    )


@router.get(
    "/{equation_id}/similar", response_model=HitsPublic, dependencies=[ReadKey], responses=NOT_FOUND
)
async def similar_equations(
    services: ServicesDep,
    searcher: EquationSearcherDep,
    equation_id: EquationId,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    limit: Annotated[int | None, Query(ge=1, le=100, description=LIMIT_DESCRIPTION)] = None,
) -> HitsPublic:
    """Stored equations most similar to this one (itself excluded)."""
    k = k if limit is None else limit
    hits = await run_limited(services, searcher.similar, equation_id, k)
    data = [HitPublic(**h.to_dict()) for h in hits]
    return HitsPublic(data=data, count=len(data))
