"""API keys: required on write endpoints, and on every endpoint with ``require_key_for_reads``.

A key may come as ``X-API-Key``, ``Authorization: Bearer <key>``, or Mathpix's ``app_key``
header. Keys are compared in constant time.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from scipix_search.api.errors import AuthenticationError


def presented_key(request: Request) -> str | None:
    """The API key a request carries, if any."""
    key = request.headers.get("x-api-key") or request.headers.get("app_key")
    if key:
        return key.strip()
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def check_key(request: Request, keys: frozenset[str]) -> None:
    """Raise :class:`AuthenticationError` unless the request carries one of ``keys``.

    With no keys configured every request passes (the local single-user default).
    """
    if not keys:
        return
    key = presented_key(request)
    if key is None:
        raise AuthenticationError("missing API key: send it as the X-API-Key header")
    if not any(hmac.compare_digest(key.encode(), k.encode()) for k in keys):
        raise AuthenticationError("wrong API key")
