"""One router per resource."""

from scipix_search.api.routes import (
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

__all__ = ["documents", "equations", "health", "jobs", "mathpix", "ocr", "pages", "search", "web"]
