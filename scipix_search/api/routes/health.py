"""Liveness (``/healthz``) and readiness (``/readyz``: database reachable, models loaded, indexes
in agreement with the database)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from scipix_search.api.deps import ServicesDep
from scipix_search.api.schemas import HealthPublic

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthPublic)
def healthz() -> HealthPublic:
    """The process is up."""
    return HealthPublic(status="ok")


@router.get("/readyz", response_model=HealthPublic, responses={503: {"model": HealthPublic}})
def readyz(services: ServicesDep) -> JSONResponse:
    """The database answers, the passage searcher is loaded, the indexes agree with the database.

    An index that disagreed and could not be repaired (read-only or full data folder) makes the
    server not ready, with the reason under ``checks.indexes``; search still answers from what
    is consistent.
    """
    checks: dict[str, str] = {}
    try:
        with services.store.session() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; the reason goes in the body
        checks["database"] = f"error: {type(exc).__name__}"
    checks["search"] = "ok" if services.ready else "loading"
    problems = dict(services.store.index_problems)  # a copy: request threads may repair
    checks["indexes"] = "; ".join(problems[k] for k in sorted(problems)) if problems else "ok"
    if services.worker_thread is not None:
        checks["worker"] = "ok" if services.worker_thread.is_alive() else "stopped"
    ok = all(v == "ok" for v in checks.values())
    body = HealthPublic(status="ok" if ok else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
