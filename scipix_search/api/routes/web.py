"""The search web page at ``/`` (its script, styles and KaTeX are served from ``/static``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(tags=["web"], include_in_schema=False)


@router.get("/")
def index() -> FileResponse:
    """The single-page search UI."""
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})
