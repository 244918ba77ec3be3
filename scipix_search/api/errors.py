"""The one place where errors become HTTP answers: JSON ``{"error", "reason"}``, no stack traces."""

from __future__ import annotations

import errno
import logging
import re
import uuid
from collections.abc import Sequence
from typing import Any

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
    ReadOnlyStoreError,
    ScipixError,
    StorageFullError,
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


class InvalidParameterError(InputError):
    """A request parameter is out of range or not a finite number."""


# Most specific first: the first isinstance match decides.
_STATUS: tuple[tuple[type[ScipixError], int, str], ...] = (
    (AuthenticationError, 401, "unauthorized"),
    (InvalidParameterError, 422, "invalid_request"),
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
    (StorageFullError, 507, "insufficient_storage"),
    (ReadOnlyStoreError, 503, "read_only"),
    (IndexStoreError, 503, "index_error"),
    (StoreError, 500, "store_error"),
    (ConfigError, 500, "config_error"),
)


def status_of(exc: ScipixError) -> tuple[int, str]:
    """HTTP status and error code of a package error."""
    for cls, status, code in _STATUS:
        if isinstance(exc, cls):
            if status >= 500 and (storage := storage_failure(exc)) is not None:
                return storage[0], storage[1]
            return status, code
    storage = storage_failure(exc)
    return (storage[0], storage[1]) if storage else (500, "error")


# What a full or read-only store looks like from below: errno values, SQLite's messages
# (sqlite3 reports SQLITE_FULL / SQLITE_READONLY only in its text) and PostgreSQL's SQLSTATEs.
_FULL = (507, "insufficient_storage", "the server's disk is full; the request was not completed")
_READ_ONLY = (503, "read_only", "the server's store is read-only; the request was not completed")
_BUSY = (503, "busy", "the database is busy; retry in a moment")
_ERRNO = {errno.ENOSPC: _FULL, errno.EDQUOT: _FULL, errno.EROFS: _READ_ONLY}
_SQLITE_TEXT = (
    ("database or disk is full", _FULL),
    ("attempt to write a readonly database", _READ_ONLY),
    ("database is locked", _BUSY),
)
_SQLSTATE = {"53100": _FULL, "25006": _READ_ONLY}


def storage_failure(exc: BaseException) -> tuple[int, str, str] | None:
    """Status, code and reason when ``exc`` (or what caused it) is a full or read-only store.

    The chain of causes is walked because the store wraps what the database or the file
    system raised (``StoreError(...) from OperationalError``).
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, StorageFullError):
            return _FULL
        if isinstance(current, ReadOnlyStoreError):
            return _READ_ONLY
        if isinstance(current, OSError) and current.errno in _ERRNO:
            return _ERRNO[current.errno]
        sqlstate = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate in _SQLSTATE:
            return _SQLSTATE[sqlstate]
        text = str(current).lower()
        for words, answer in _SQLITE_TEXT:
            if words in text:
                return answer
        current = current.__cause__ or current.__context__
    return None


# Absolute paths of two or more parts (/srv/data/uploads/x.pdf, ./data/x.pdf), not URLs
# (http://a/b), MIME types (image/png) or fractions (1/2): the character before the slash may
# not be a word character, a colon or a slash.
_ABSOLUTE_PATH = re.compile(r"(?<![\w:/.])(?:[A-Za-z]:|\.{1,2})?(?:/[^\s/'\":,;()\[\]{}<>]+){2,}/?")


def public_reason(text: str) -> str:
    """A stored error (a failed job's) as a client may read it: no paths, no SQL.

    A worker that met a full disk or a read-only store records the database's own words, which
    carry the statement and its parameters; the client gets what happened instead.
    """
    for words, answer in _SQLITE_TEXT:
        if words in text.lower():
            return answer[2].split(";")[0]
    return scrub_paths(text.split("[SQL:", 1)[0].strip())


def scrub_paths(text: str) -> str:
    """``text`` with every absolute file system path cut to its last part.

    Reasons and job errors go to clients, and the server's folders are none of theirs; the
    file's own name stays, since it is usually the client's (``paper.pdf: not a PDF``).
    """
    return _ABSOLUTE_PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], text)


def error_response(
    path: str,
    status: int,
    code: str,
    reason: str,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The JSON error answer of this API (Mathpix's shape under ``/v3/``), paths scrubbed.

    Public because the ASGI middleware of :mod:`security` answers 401 and 429 before FastAPI.
    """
    reason = scrub_paths(reason)
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    if path.startswith("/v3/"):
        # Mathpix clients read error and error_info.
        content: dict[str, object] = {
            "error": reason,
            "error_info": {"id": code, "message": reason},
        }
    else:
        content = {"error": code, "reason": reason}
    return JSONResponse(content, status_code=status, headers=headers)


def _body(
    request: Request,
    status: int,
    code: str,
    reason: str,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return error_response(request.url.path, status, code, reason, headers)


async def _scipix_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ScipixError)
    status, code = status_of(exc)
    reason = exc.message
    if (storage := storage_failure(exc)) is not None and status == storage[0]:
        logger.error("%s %s: %s", request.method, request.url.path, exc, exc_info=exc)
        if not isinstance(exc, (StorageFullError, ReadOnlyStoreError)):
            # A wrapped database error's text can hold SQL and file names: say what happened.
            reason = storage[2]
        return _body(request, status, storage[1], reason)
    if status >= 500:
        logger.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
    return _body(request, status, code, reason)


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, ScipixError):
        # FastAPI turns any error while it parses a body into "400 error parsing the body";
        # ours (a body over the limit, stopped as it arrives) keeps its own status and reason.
        return await _scipix_handler(request, exc.__cause__)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return _body(request, exc.status_code, code, str(exc.detail))


def describe_errors(errors: Sequence[Any]) -> str:
    """One line from pydantic's validation errors: ``query.k: Input should be ...; ...``."""
    parts = []
    for err in list(errors)[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "invalid request"


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _body(request, 422, "invalid_request", describe_errors(exc.errors()))


async def _unexpected_handler(request: Request, exc: Exception) -> JSONResponse:
    storage = storage_failure(exc)
    if storage is not None:
        logger.error("%s %s: %s", request.method, request.url.path, exc, exc_info=exc)
        return _body(request, storage[0], storage[1], storage[2])
    incident = uuid.uuid4().hex[:12]
    logger.error("unhandled error %s on %s", incident, request.url.path, exc_info=exc)
    return _body(request, 500, "internal_error", f"internal server error (incident {incident})")


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    app.add_exception_handler(ScipixError, _scipix_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(Exception, _unexpected_handler)
