"""The API's interactive docs at ``/docs``: Swagger UI served by the app itself, no CDN.

FastAPI's default ``/docs`` loads Swagger UI from jsDelivr and starts it with an inline
script, so it is blank offline and would need ``'unsafe-inline'`` scripts. Here the files
come from the ``swagger-ui-py`` package (Swagger UI 5, mounted at ``/docs/swagger-ui``; the
``swagger-ui-bundle`` package ships Swagger UI 4.15, which refuses FastAPI's OpenAPI 3.1 schema)
and the page starts Swagger UI from ``/static/docs.js``, so it runs under ``script-src 'self'``.
ReDoc is off (``redoc_url=None``): no PyPI package ships ``redoc.standalone.js`` without
pulling in another web framework (``flask-openapi3-redoc`` needs Flask).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

#: Swagger UI's own files (``swagger-ui-bundle.js``, ``swagger-ui.css``, favicons).
#: Found without importing ``swagger_ui`` (its ``__init__`` sets up handlers for other frameworks).
_SPEC = importlib.util.find_spec("swagger_ui")
if _SPEC is None or not _SPEC.submodule_search_locations:
    raise ImportError("swagger-ui-py is not installed: pip install swagger-ui-py==25.7.1")
SWAGGER_UI_DIR = Path(next(iter(_SPEC.submodule_search_locations))) / "static"
SWAGGER_UI_URL = "/docs/swagger-ui"

router = APIRouter(tags=["docs"], include_in_schema=False)

_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>scipix-search API docs</title>
<link rel="stylesheet" href="{SWAGGER_UI_URL}/swagger-ui.css">
<link rel="icon" type="image/png" href="{SWAGGER_UI_URL}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="/openapi.json"></div>
<script src="{SWAGGER_UI_URL}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


@router.get("/docs")
def docs() -> HTMLResponse:
    """Swagger UI over ``/openapi.json``, every file served by this app."""
    return HTMLResponse(_PAGE, headers={"Cache-Control": "no-cache"})
