"""FastAPI dependencies: the process's services, sessions, searchers, API key checks, limits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from scipix_search.api._services import Services
from scipix_search.api.errors import RequestTimeoutError
from scipix_search.api.schemas import MAX_ID, MAX_OFFSET
from scipix_search.api.security import check_key

T = TypeVar("T")

# Path and query numbers are bounded to what their columns hold, so that no number a client can
# write reaches the database as one it cannot bind (SQLite raises OverflowError past 64 bits).
DocumentId = Annotated[int, Path(ge=1, le=MAX_ID, description="a document's id")]
JobId = Annotated[int, Path(ge=1, le=MAX_ID, description="a job's id")]
EquationId = Annotated[int, Path(ge=1, le=MAX_ID, description="an equation's id")]
DocumentFilter = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="only hits of this document")
]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
PageNumber = Annotated[int, Path(ge=1, le=1_000_000, description="page, 1-based")]


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    """A session in one transaction, committed when the endpoint returns."""
    with services.store.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_passage_searcher(services: ServicesDep) -> Any:
    return services.passage_searcher()


def get_equation_searcher(services: ServicesDep) -> Any:
    return services.equation_searcher()


SearcherDep = Annotated[Any, Depends(get_passage_searcher)]
EquationSearcherDep = Annotated[Any, Depends(get_equation_searcher)]


def require_write_key(request: Request, services: ServicesDep) -> None:
    """Write endpoints (upload, delete) need a key whenever keys are configured."""
    check_key(request, services.settings.keys)


def require_read_key(request: Request, services: ServicesDep) -> None:
    """Read endpoints need a key only with ``require_key_for_reads``."""
    if services.settings.require_key_for_reads:
        check_key(request, services.settings.keys)


WriteKey = Depends(require_write_key)
ReadKey = Depends(require_read_key)


async def run_limited(services: Services, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking work in the thread pool under the per-request time limit.

    Raises:
        RequestTimeoutError: it took longer than ``request_timeout_s`` (the answer is 504;
            the thread finishes its work in the background).
    """
    limit = services.settings.request_timeout_s
    try:
        return await asyncio.wait_for(run_in_threadpool(fn, *args, **kwargs), timeout=limit)
    except TimeoutError as exc:
        raise RequestTimeoutError(f"the request took longer than {limit:g} s") from exc
