"""The one place where errors become HTTP answers: JSON ``{"error", "reason"}``, no stack traces."""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from scipix_search.exceptions import (
    ConfigError,
    CorruptInputError,
    EmptyQueryError,
    IndexStoreError,
    InputError,
    InputTooLargeError,
    LatexParseError,
    MissingDependencyError,
    ModelNotFoundError,
    NotFoundError,
    OCRError,
    ScipixError,
    StoreError,
    UnsupportedContentError,
)

logger = logging.getLogger(__name__)


class AuthenticationError(ScipixError):
    """A valid API key is required (header X-API-Key, Authorization: Bearer, or app_key)."""


class ServiceUnavailableError(ScipixError):
    """A component this endpoint needs is not available on this server."""


class RequestTimeoutError(ScipixError):
    """The request took longer than the server's time limit."""


# Most specific first: the first isinstance match decides.
_STATUS: tuple[tuple[type[ScipixError], int, str], ...] = (
    (AuthenticationError, 401, "unauthorized"),
    (InputTooLargeError, 413, "too_large"),
    (UnsupportedContentError, 415, "unsupported_content"),
    (LatexParseError, 422, "latex_parse_error"),
    (EmptyQueryError, 400, "empty_query"),
    (CorruptInputError, 400, "corrupt_input"),
    (InputError, 400, "bad_input"),
    (NotFoundError, 404, "not_found"),
    (ModelNotFoundError, 503, "model_missing"),
    (MissingDependencyError, 503, "dependency_missing"),
    (ServiceUnavailableError, 503, "unavailable"),
    (RequestTimeoutError, 504, "timeout"),
    (OCRError, 500, "ocr_error"),
    (IndexStoreError, 503, "index_error"),
    (StoreError, 500, "store_error"),
    (ConfigError, 500, "config_error"),
)


def status_of(exc: ScipixError) -> tuple[int, str]:
    """HTTP status and error code of a package error."""
    for cls, status, code in _STATUS:
        if isinstance(exc, cls):
            return status, code
    return 500, "error"


def _body(request: Request, status: int, code: str, reason: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if request.url.path.startswith("/v3/"):
        # Mathpix clients read error and error_info.
        content: dict[str, object] = {
            "error": reason,
            "error_info": {"id": code, "message": reason},
        }
    else:
        content = {"error": code, "reason": reason}
    return JSONResponse(content, status_code=status, headers=headers)


async def _scipix_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ScipixError)
    status, code = status_of(exc)
    if status >= 500:
        logger.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
    return _body(request, status, code, exc.message)


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return _body(request, exc.status_code, code, str(exc.detail))


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return _body(request, 422, "invalid_request", "; ".join(parts) or "invalid request")


async def _unexpected_handler(request: Request, exc: Exception) -> JSONResponse:
    incident = uuid.uuid4().hex[:12]
    logger.error("unhandled error %s on %s", incident, request.url.path, exc_info=exc)
    return _body(request, 500, "internal_error", f"internal server error (incident {incident})")


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    app.add_exception_handler(ScipixError, _scipix_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(Exception, _unexpected_handler)
