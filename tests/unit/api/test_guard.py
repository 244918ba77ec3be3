"""Keys before the body, rate limits with Retry-After, and security headers (real app, no models)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scipix_search.api.app import create_app
from scipix_search.api.routes.web import STATIC_DIR
from scipix_search.api.security import needs_key
from scipix_search.config import Settings

KEY = "k-123"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _client(settings: Settings, **update: Any) -> TestClient:
    values = {"api_keys": KEY, "embedded_worker": False, "rate_limit": "", **update}
    return TestClient(create_app(settings.model_copy(update=values)))


@pytest.fixture
def keyed(settings: Settings) -> TestClient:
    return _client(settings)


EXPENSIVE = [
    ("POST", "/v1/ocr", {"files": {"file": ("a.png", PNG, "image/png")}}),
    ("POST", "/v3/text", {"json": {"src": "data:image/png;base64,AAAA"}}),
    ("POST", "/v3/text", {"files": {"file": ("a.png", PNG, "image/png")}}),
    ("POST", "/v1/search/equations", {"files": {"image": ("a.png", PNG, "image/png")}}),
    ("POST", "/v1/documents", {"files": {"file": ("a.tex", b"\\section{A}", "text/plain")}}),
    ("DELETE", "/v1/documents/1", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), EXPENSIVE)
def test_expensive_and_write_endpoints_need_a_key(
    keyed: TestClient, method: str, path: str, kwargs: dict
) -> None:
    for headers in ({}, {"X-API-Key": "wrong"}, {"app_key": "wrong"}):
        answer = keyed.request(method, path, headers=headers, **kwargs)
        assert answer.status_code == 401, (headers, answer.text)
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    for headers in ({"X-API-Key": KEY}, {"Authorization": f"Bearer {KEY}"}, {"app_key": KEY}):
        answer = keyed.request(method, path, headers=headers, **kwargs)
        assert answer.status_code != 401, (headers, answer.text)


def test_mathpix_error_shape_on_401(keyed: TestClient) -> None:
    body = keyed.post("/v3/text", json={}).json()
    assert body["error_info"]["id"] == "unauthorized"


def test_reads_stay_open_and_searches_need_a_key(keyed: TestClient) -> None:
    assert keyed.get("/v1/documents").status_code == 200
    assert keyed.get("/healthz").status_code == 200
    # A search reads a body or runs an encoder: with keys set it is not anonymous.
    answer = keyed.post("/v1/search/equations", json={"latex": "a^2+b^2=c^2"})
    assert answer.status_code == 401, answer.text
    assert keyed.get("/v1/search", params={"q": "heat"}).status_code == 401
    answer = keyed.post(
        "/v1/search/equations", json={"latex": "a^2+b^2=c^2"}, headers={"X-API-Key": KEY}
    )
    assert answer.status_code == 200, answer.text


def test_needs_key_rules() -> None:
    assert needs_key("POST", "/v1/search/equations", "multipart/form-data; b=x", reads_too=False)
    assert needs_key("POST", "/v1/search/equations", "application/json", reads_too=False)
    assert needs_key("GET", "/v1/search", "", reads_too=False)
    assert needs_key("GET", "/v1/search/documents", "", reads_too=False)
    assert not needs_key("GET", "/v1/searching", "", reads_too=False)
    assert not needs_key("GET", "/v1/equations/1", "", reads_too=False)
    assert needs_key("PUT", "/v1/anything", "", reads_too=False)
    assert not needs_key("GET", "/v1/documents", "", reads_too=False)
    assert needs_key("GET", "/v1/documents", "", reads_too=True)
    assert not needs_key("GET", "/static/app.js", "", reads_too=True)


def test_key_is_checked_before_the_body_is_read(settings: Settings) -> None:
    """The ASGI app is called with a 300 MiB multipart request and a receive() that counts:
    without a key the answer is 401 and the body was never asked for."""
    app = create_app(settings.model_copy(update={"api_keys": KEY, "embedded_worker": False}))
    received: list[int] = []
    sent: list[dict] = []

    async def receive() -> dict:
        received.append(1)
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    for path in ("/v1/documents", "/v1/ocr", "/v3/text", "/v1/search/equations"):
        received.clear()
        sent.clear()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"testserver"),
                (b"content-type", b"multipart/form-data; boundary=xyz"),
                (b"content-length", str(300 << 20).encode()),
            ],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
            "state": {},
        }
        asyncio.run(app(scope, receive, send))
        assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 401, path
        assert received == [], path


def test_over_the_rate_limit_is_429_with_retry_after(settings: Settings) -> None:
    client = _client(settings, rate_limit="3/minute")
    answers = [client.get("/v1/documents") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    last = answers[-1]
    assert 1 <= int(last.headers["Retry-After"]) <= 60
    assert last.json()["error"] == "rate_limited"
    # Made-up keys do not buy a fresh counter; a valid key is its own client.
    assert client.get("/v1/documents", headers={"X-API-Key": "made-up"}).status_code == 429
    assert client.get("/v1/documents", headers={"X-API-Key": KEY}).status_code == 200
    # Probes and the page are never limited.
    assert client.get("/healthz").status_code == 200


def test_expensive_limit_is_separate(settings: Settings) -> None:
    client = _client(settings, rate_limit="100/minute", rate_limit_expensive="2/minute")
    headers = {"X-API-Key": KEY}
    files = {"file": ("a.txt", b"plain words", "text/plain")}
    codes = [client.post("/v1/ocr", headers=headers, files=files).status_code for _ in range(3)]
    assert codes == [415, 415, 429]
    assert client.get("/v1/documents", headers=headers).status_code == 200


def test_rate_limit_notation_is_checked(settings: Settings) -> None:
    with pytest.raises(ValueError):
        settings.model_validate({"rate_limit": "lots"})


def test_security_headers_on_page_and_api(keyed: TestClient) -> None:
    page = keyed.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    for answer in (page, keyed.get("/v1/documents"), keyed.delete("/v1/documents/1")):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert (
        keyed.get("/v1/documents")
        .headers["Content-Security-Policy"]
        .startswith("default-src 'none'")
    )


def test_page_has_no_inline_script_or_style() -> None:
    """What the page's CSP forbids must not be in the page."""
    html = (STATIC_DIR / "index.html").read_text()
    for script in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in script[0] and not script[1].strip()
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert not re.search(r"\sstyle\s*=", html)
    assert "javascript:" not in html + (STATIC_DIR / "app.js").read_text()


def test_body_over_the_limit_is_413_from_its_length(settings: Settings) -> None:
    client = _client(settings, api_keys="", max_upload_bytes=1000)
    big = b"x" * (1000 * 4 // 3 + (1 << 20) + 1)
    answer = client.post("/v1/ocr", files={"file": ("a.png", big, "image/png")})
    assert answer.status_code == 413 and "over the limit" in answer.json()["reason"]
    # A LaTeX query has a small limit of its own.
    answer = client.post(
        "/v1/search/equations",
        content=b'{"latex": "' + b"x" * (1 << 20) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 413


def test_chunked_body_over_the_limit_is_stopped(settings: Settings) -> None:
    client = _client(settings, api_keys="")

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"latex": "'
        for _ in range(64):  # 4 MiB, no Content-Length
            yield b"x" * 65536
        yield b'"}'

    answer = client.post(
        "/v1/search/equations", content=chunks(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413, answer.text
    assert "over the limit" in answer.json()["reason"]


def test_chunked_upload_over_the_limit_is_413(settings: Settings) -> None:
    client = _client(settings, api_keys="", max_upload_bytes=1000)
    head = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'

    def chunks():  # type: ignore[no-untyped-def]
        yield head
        for _ in range(48):  # 3 MiB, no Content-Length
            yield b"x" * 65536
        yield b"\r\n--xyz--\r\n"

    for path in ("/v1/ocr", "/v1/documents"):
        answer = client.post(
            path, content=chunks(), headers={"content-type": "multipart/form-data; boundary=xyz"}
        )
        assert answer.status_code == 413, answer.text
