"""Liveness (``/healthz``) and readiness (``/readyz``: database reachable, models loaded)."""

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
    """The database answers and the passage searcher is loaded."""
    checks: dict[str, str] = {}
    try:
        with services.store.session() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; the reason goes in the body
        checks["database"] = f"error: {type(exc).__name__}"
    checks["search"] = "ok" if services.ready else "loading"
    if services.worker_thread is not None:
        checks["worker"] = "ok" if services.worker_thread.is_alive() else "stopped"
    ok = all(v == "ok" for v in checks.values())
    body = HealthPublic(status="ok" if ok else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
