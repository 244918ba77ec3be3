"""Keys and abuse on a live uvicorn server: the key is checked before the body is received, over
the expensive endpoints a client gets 429 with Retry-After, every answer carries the security
headers, and a page image with a box of ±1e308 points is the page, clamped."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tests.e2e._live import SAMPLES, LiveServer, formula_png, start_server, wait_for_job

pytestmark = [pytest.mark.model, pytest.mark.slow]

EXPENSIVE_LIMIT = 5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(
        tmp_path_factory.mktemp("keys") / "data",
        None,
        SCIPIX_RATE_LIMIT_EXPENSIVE=f"{EXPENSIVE_LIMIT}/minute",
    )
    yield live
    live.stop()


@pytest.fixture(scope="module")
def pdf_id(server: LiveServer) -> int:
    """A stored PDF, uploaded before the rate-limit test spends the upload budget."""
    client = server.client()
    pdf = (SAMPLES / "heat-equation-note.pdf").read_bytes()
    answer = client.post("/v1/documents", files={"file": ("note.pdf", pdf, "application/pdf")})
    assert answer.status_code == 202, answer.text
    job = wait_for_job(client, answer.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    return int(job["document_id"])


def _raw_post(server: LiveServer, path: str, claimed: int, sent: int) -> tuple[bytes, float]:
    """POST headers claiming ``claimed`` body bytes, send ``sent`` of them, read the answer."""
    host, port = server.url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: multipart/form-data; boundary=xyz\r\n"
            f"Content-Length: {claimed}\r\n\r\n"
        )
        sock.sendall(head.encode() + b"x" * sent)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer, time.monotonic() - started


@pytest.mark.parametrize("path", ["/v1/documents", "/v1/ocr", "/v3/text", "/v1/search/equations"])
def test_key_checked_before_a_300_mib_body(server: LiveServer, path: str) -> None:
    # 64 KiB of the claimed 300 MiB are sent: the 401 comes without waiting for the rest.
    answer, seconds = _raw_post(server, path, claimed=300 << 20, sent=65536)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert seconds < 5
    assert b"x-content-type-options: nosniff" in answer.lower()


def test_mathpix_app_key(server: LiveServer) -> None:
    anonymous = server.client(key=None)
    png = formula_png("x+1")
    answer = anonymous.post("/v3/text", files={"file": ("f.png", png, "image/png")})
    assert answer.status_code == 401
    assert answer.json()["error_info"]["id"] == "unauthorized"
    answer = anonymous.post(
        "/v3/text",
        files={"file": ("f.png", png, "image/png")},
        headers={"app_id": "me", "app_key": "test-key-123"},
    )
    assert answer.status_code == 200, answer.text


def test_over_the_expensive_limit_is_429(server: LiveServer, pdf_id: int) -> None:
    client = server.client()
    files = {"file": ("a.txt", b"plain words", "text/plain")}
    codes = [client.post("/v1/ocr", files=files).status_code for _ in range(EXPENSIVE_LIMIT + 2)]
    assert 429 in codes, codes
    limited = client.post("/v1/ocr", files=files)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.json()["error"] == "rate_limited"
    # Reads are counted apart from the expensive endpoints.
    assert client.get("/v1/documents").status_code == 200


def test_security_headers_on_the_page(server: LiveServer) -> None:
    page = server.client(key=None).get("/")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"


def test_page_image_huge_bbox_is_clamped(server: LiveServer, pdf_id: int) -> None:
    client = server.client()
    document_id = pdf_id
    image = client.get(
        f"/v1/documents/{document_id}/pages/1/image",
        params={"bbox": "-1e308,-1e308,1e308,1e308"},
    )
    assert image.status_code == 200, image.text
    assert image.headers["content-type"] == "image/png"
    outside = client.get(
        f"/v1/documents/{document_id}/pages/1/image", params={"bbox": "1e300,1e300,1e301,1e301"}
    )
    assert outside.status_code == 400 and "outside the page" in outside.json()["reason"]
