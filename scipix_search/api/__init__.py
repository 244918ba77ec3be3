"""The HTTP API and search web page (FastAPI): ``create_app()``; run with ``scipix-search serve``.

Names are imported lazily so that the worker can read :class:`ApiSettings` without loading
FastAPI and every route.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ApiSettings", "create_app", "get_api_settings"]


def __getattr__(name: str) -> Any:
    if name in ("ApiSettings", "get_api_settings"):
        from scipix_search.api import _config

        return getattr(_config, name)
    if name == "create_app":
        from scipix_search.api.app import create_app

        return create_app
    raise AttributeError(f"module 'scipix_search.api' has no attribute {name!r}")
