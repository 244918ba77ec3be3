"""/docs: Swagger UI from the app's own files, under a CSP without inline scripts."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from scipix_search.api.app import create_app


@pytest.fixture
def client(settings) -> TestClient:  # type: ignore[no-untyped-def]
    app = create_app(
        settings.model_copy(
            update={"api_keys": "k1", "require_key_for_reads": True, "embedded_worker": False}
        )
    )
    return TestClient(app)  # no `with`: the lifespan (model loading) does not run


def test_docs_assets_served_by_app(client: TestClient) -> None:
    answer = client.get("/docs")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self';" in csp.split("style-src")[0]  # no inline or remote script
    html = answer.text
    assert "<script>" not in html  # every script is a file: the CSP allows no inline one
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    kinds = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
    assert len(urls) == 4, urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)  # no key: the docs stay open when reads need one
        assert asset.status_code == 200, url
        kind = next(v for k, v in kinds.items() if url.endswith(k))
        assert kind in asset.headers["content-type"], (url, asset.headers["content-type"])
    assert client.get("/openapi.json").status_code == 200


def test_docs_redoc_off(client: TestClient) -> None:
    assert client.get("/redoc", headers={"X-API-Key": "k1"}).status_code == 404
