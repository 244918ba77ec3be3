"""API keys, rate limits and security headers.

A key may come as ``X-API-Key``, ``Authorization: Bearer <key>``, or Mathpix's ``app_key``
header. Keys are compared in constant time.

:class:`GuardMiddleware` is a pure ASGI middleware, not a FastAPI dependency: dependencies run
after FastAPI has parsed the request, and a multipart body is read whole before that. Here a
request without a valid key is answered from its headers alone, before one byte of its body is
received, so an anonymous client cannot make the server read (or store) 300 MiB for a 401.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Iterable
from typing import Any

from fastapi import Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scipix_search.api.errors import AuthenticationError, error_response
from scipix_search.config import Settings
from scipix_search.exceptions import InputTooLargeError

logger = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Open even with ``require_key_for_reads``: probes, the page and its files, the API's docs.
OPEN_PATHS = frozenset({"/", "/healthz", "/readyz", "/docs", "/openapi.json"})
OPEN_PREFIXES = ("/static/", "/docs/")
#: Endpoints that run a model or store a file, whatever their method.
EXPENSIVE_PATHS = frozenset({"/v1/ocr", "/v3/text", "/v1/documents"})
IMAGE_SEARCH_PATH = "/v1/search/equations"
#: Every search reads a query body or runs an encoder (text search runs MiniLM): with keys
#: configured, none answers an anonymous client.
SEARCH_PREFIX = "/v1/search"
#: A LaTeX query (at most 4,000 characters) and its options fit many times in this.
JSON_QUERY_MAX_BYTES = 1 << 20

#: The page loads only its own script, styles and KaTeX files (no inline script anywhere);
#: KaTeX sets its inline sizes through the CSSOM, which ``style-src`` does not govern.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: /docs: Swagger UI from this app's own files, started by /static/docs.js (no inline script).
#: Swagger UI sets some styles inline; the page shows only the schema, no stored content.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: JSON and images: nothing to run, nothing to embed.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
_COMMON_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
)


def _key_from(headers: Headers | Any) -> str | None:
    key = headers.get("x-api-key") or headers.get("app_key")
    if key:
        return str(key).strip()
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return str(value.strip())
    return None


def presented_key(request: Request) -> str | None:
    """The API key a request carries, if any."""
    return _key_from(request.headers)


def _matches(key: str, keys: Iterable[str]) -> bool:
    # Every key is compared (no early exit), each in constant time.
    found = False
    for candidate in keys:
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def check_key(request: Request, keys: frozenset[str]) -> None:
    """Raise :class:`AuthenticationError` unless the request carries one of ``keys``.

    With no keys configured every request passes (the local single-user default).
    """
    if not keys:
        return
    key = presented_key(request)
    if key is None:
        raise AuthenticationError("missing API key: send it as the X-API-Key header")
    if not _matches(key, keys):
        raise AuthenticationError("wrong API key")


def is_expensive(method: str, path: str, content_type: str) -> bool:
    """OCR, image search and uploads: a model runs or a file is stored."""
    if method in READ_METHODS:
        return False
    if path in EXPENSIVE_PATHS:
        return True
    return path == IMAGE_SEARCH_PATH and content_type.startswith("multipart/")


def needs_key(method: str, path: str, content_type: str, *, reads_too: bool) -> bool:
    """Whether a request needs a key when keys are configured.

    Every write needs one, and so does anything expensive or any search (each reads a query
    body or runs an encoder); stored documents, equations and jobs stay readable unless
    ``reads_too``.
    """
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return False
    if reads_too or is_expensive(method, path, content_type):
        return True
    if path == SEARCH_PREFIX or path.startswith(SEARCH_PREFIX + "/"):
        return True
    return method not in READ_METHODS


def csp_for(path: str) -> str:
    """The Content-Security-Policy of an answer to ``path``."""
    if path == "/" or path.startswith("/static/"):
        return PAGE_CSP
    if path == "/docs" or path.startswith("/docs/"):
        return DOCS_CSP
    return API_CSP


class _Limits:
    """Per-client rate limits with the ``limits`` package (sliding window counters)."""

    def __init__(self, settings: Settings) -> None:
        from limits import parse_many
        from limits.storage import storage_from_string
        from limits.strategies import SlidingWindowCounterRateLimiter

        self.general = parse_many(settings.rate_limit) if settings.rate_limit else []
        self.expensive = (
            parse_many(settings.rate_limit_expensive) if settings.rate_limit_expensive else []
        )
        self.enabled = bool(self.general or self.expensive)
        self.limiter = SlidingWindowCounterRateLimiter(
            storage_from_string(settings.rate_limit_storage)
        )

    def retry_after(self, client: str, expensive: bool) -> int | None:
        """Seconds to wait when ``client`` is over a limit (counting this request), else None."""
        groups = [("all", self.general)]
        if expensive:
            groups.append(("expensive", self.expensive))
        for scope, items in groups:
            for item in items:
                if not self.limiter.hit(item, scope, client):
                    reset = self.limiter.get_window_stats(item, scope, client).reset_time
                    return max(1, math.ceil(reset - time.time()))
        return None


def _capped(receive: Receive, limit: int) -> Receive:
    """``receive`` that stops a body (chunked, with no length said) once it passes ``limit``."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                # Raised inside the route's body parsing: the error handler answers 413.
                raise InputTooLargeError(f"request body is over the limit of {limit} bytes")
        return message

    return capped


class GuardMiddleware:
    """Keys before the body, per-client rate limits, and security headers on every answer.

    Args:
        app: the ASGI application it wraps.
        settings: ``api_keys``, ``require_key_for_reads`` and the ``rate_limit*`` settings.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.keys = settings.keys
        self.reads_too = settings.require_key_for_reads
        self.limits = _Limits(settings)
        # An upload may arrive base64-encoded in JSON (/v3/text: 4/3 of its size) or wrapped in
        # multipart headers; nothing legitimate is larger than this.
        self.max_body = settings.max_upload_bytes * 4 // 3 + (1 << 20)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        headers = Headers(scope=scope)
        content_type = headers.get("content-type", "").lower()
        key = _key_from(headers)
        valid = bool(key and self.keys and _matches(key, self.keys))
        send = self._with_headers(send, csp_for(path))
        if self.limits.enabled and not (path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)):
            # A valid key is its own client; anyone else is counted by address, so that
            # made-up keys do not buy fresh counters.
            if valid and key is not None:
                client = "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
            else:
                client = "ip:" + (scope.get("client") or ("unknown", 0))[0]
            wait = self.limits.retry_after(client, is_expensive(method, path, content_type))
            if wait is not None:
                logger.warning("rate limited %s %s", method, path, extra={"action": "rate_limit"})
                answer = error_response(
                    path,
                    429,
                    "rate_limited",
                    f"too many requests; retry in {wait} s",
                    {"Retry-After": str(wait)},
                )
                await answer(scope, receive, send)
                return
        if (
            self.keys
            and not valid
            and needs_key(method, path, content_type, reads_too=self.reads_too)
        ):
            reason = "wrong API key" if key else "missing API key: send it as the X-API-Key header"
            # The body is never received: the answer goes out, and the server drops the rest.
            await error_response(path, 401, "unauthorized", reason)(scope, receive, send)
            return
        limit = (
            JSON_QUERY_MAX_BYTES
            if path == IMAGE_SEARCH_PATH and not content_type.startswith("multipart/")
            else self.max_body
        )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            # Refused from the header: the server neither reads nor spools the body.
            answer = error_response(
                path,
                413,
                "too_large",
                f"request body of {int(declared)} bytes is over the limit of {limit} bytes",
            )
            await answer(scope, receive, send)
            return
        receive = _capped(receive, limit)
        query: bytes = scope.get("query_string", b"")
        if b"\x00" in query or b"%00" in query.lower():
            # PostgreSQL text cannot hold NUL: a filter with one would be a DataError (500).
            answer = error_response(
                path, 422, "invalid_request", "query parameters may not contain NUL characters"
            )
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _with_headers(send: Send, csp: str) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in _COMMON_HEADERS:
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", csp)
            await send(message)

        return send_with_headers
