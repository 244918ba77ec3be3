"""One router per resource."""

from scipix_search.api.routes import (
    docs,
    documents,
    equations,
    health,
    jobs,
    mathpix,
    ocr,
    pages,
    search,
    web,
)

__all__ = [
    "docs",
    "documents",
    "equations",
    "health",
    "jobs",
    "mathpix",
    "ocr",
    "pages",
    "search",
    "web",
]
