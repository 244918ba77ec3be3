"""The FastAPI application: ``create_app()`` wires settings, services, routers and errors.

Run it with ``scipix-search serve``, or ``uvicorn scipix_search.api.app:create_app --factory``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from scipix_search import __version__
from scipix_search.api import routes
from scipix_search.api._services import Services
from scipix_search.api.errors import install_error_handlers
from scipix_search.api.routes.docs import SWAGGER_UI_DIR, SWAGGER_UI_URL
from scipix_search.api.routes.web import STATIC_DIR
from scipix_search.api.security import GuardMiddleware
from scipix_search.config import Settings, get_settings

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application (models load at start-up, not here).

    Args:
        settings: store, models, keys, limits and worker options; default
            :func:`get_settings` (the environment), as ``uvicorn --factory`` calls it.

    Example:
        >>> app = create_app()
        >>> app.url_path_for("healthz")
        '/healthz'
    """
    services = Services(settings or get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(services.start)
        logger.info("scipix-search API ready", extra={"action": "start"})
        try:
            yield
        finally:
            await run_in_threadpool(services.stop)

    app = FastAPI(
        title="scipix-search",
        version=__version__,
        description="Search scientific papers by equation and by meaning.",
        lifespan=lifespan,
        # /docs is served from this app's own files (routes/docs.py); ReDoc has no offline copy.
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    install_error_handlers(app)
    # Outermost but for Starlette's error middleware: keys and limits are checked on the
    # headers, before any route, dependency or body parser runs.
    app.add_middleware(GuardMiddleware, settings=services.settings)
    for module in (
        routes.health,
        routes.documents,
        routes.pages,
        routes.jobs,
        routes.equations,
        routes.search,
        routes.ocr,
        routes.mathpix,
        routes.web,
        routes.docs,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(SWAGGER_UI_URL, StaticFiles(directory=SWAGGER_UI_DIR), name="swagger-ui")
    return app
