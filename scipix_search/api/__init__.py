"""The HTTP API and search web page (FastAPI): ``create_app()``; run with ``scipix-search serve``.

``create_app`` is imported lazily, so that importing the package loads neither FastAPI nor
every route.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from scipix_search.api.app import create_app

        return create_app
    raise AttributeError(f"module 'scipix_search.api' has no attribute {name!r}")
