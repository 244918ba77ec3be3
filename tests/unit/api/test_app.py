"""The API without models: error format, API keys, input checks (TestClient, no start-up)."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from scipix_search.api._inputs import check_document, check_image, decode_data_url
from scipix_search.api._render import parse_bbox
from scipix_search.api.app import create_app
from scipix_search.api.errors import status_of
from scipix_search.exceptions import (
    CorruptInputError,
    EmptyQueryError,
    InputError,
    InputTooLargeError,
    LatexParseError,
    ModelNotFoundError,
    UnsupportedContentError,
)
from tests.factories import make_pdf


@pytest.fixture
def client(settings) -> TestClient:  # type: ignore[no-untyped-def]
    app = create_app(settings.model_copy(update={"api_keys": "k1,k2", "embedded_worker": False}))
    return TestClient(app)  # no `with`: the lifespan (model loading) does not run


def test_status_of_maps_errors() -> None:
    assert status_of(LatexParseError("x")) == (422, "latex_parse_error")
    assert status_of(EmptyQueryError()) == (400, "empty_query")
    assert status_of(InputTooLargeError())[0] == 413
    assert status_of(UnsupportedContentError())[0] == 415
    assert status_of(ModelNotFoundError())[0] == 503


def test_app_write_requires_key(client: TestClient) -> None:
    answer = client.delete("/v1/documents/1")
    assert answer.status_code == 401
    assert answer.json() == {
        "error": "unauthorized",
        "reason": "missing API key: send it as the X-API-Key header",
    }
    assert client.delete("/v1/documents/1", headers={"X-API-Key": "nope"}).status_code == 401
    assert client.delete("/v1/documents/1", headers={"X-API-Key": "k2"}).status_code == 404
    assert client.delete("/v1/documents/1", headers={"app_key": "k1"}).status_code == 404


def test_app_reads_open_unless_configured(settings) -> None:  # type: ignore[no-untyped-def]
    keyed = settings.model_copy(update={"api_keys": "k", "embedded_worker": False})
    open_client = TestClient(create_app(keyed))
    assert open_client.get("/v1/documents").json() == {
        "data": [],
        "count": 0,
        "total": 0,
        "limit": 50,
        "offset": 0,
    }
    closed = TestClient(create_app(keyed.model_copy(update={"require_key_for_reads": True})))
    assert closed.get("/v1/documents").status_code == 401
    assert closed.get("/v1/documents", headers={"Authorization": "Bearer k"}).status_code == 200
    assert closed.get("/healthz").status_code == 200


def test_app_errors_are_json_without_traces(client: TestClient) -> None:
    assert client.get("/v1/jobs/12345").json()["error"] == "not_found"
    answer = client.get("/v1/documents", params={"limit": "many"})
    assert answer.status_code == 422 and "limit" in answer.json()["reason"]
    assert client.get("/nowhere").json() == {"error": "not_found", "reason": "Not Found"}
    assert "Traceback" not in client.get("/v1/equations/1").text


def test_app_web_page_and_katex_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "scipix-search" in page.text
    assert client.get("/static/katex/katex.min.js").status_code == 200


def test_check_document_by_magic_bytes(settings) -> None:  # type: ignore[no-untyped-def]
    assert check_document(make_pdf([["Hello."]]), "renamed.bin", settings) == "pdf"
    with pytest.raises(UnsupportedContentError, match="not a PDF"):
        check_document(b"plain words", "paper.pdf", settings)
    with pytest.raises(CorruptInputError):
        check_document(b"", "empty.pdf", settings)


def test_check_image_refuses_bombs() -> None:
    from tests.e2e._live import bomb_png, formula_png

    assert check_image(formula_png(), "f.png", 10_000_000)[0] > 10
    with pytest.raises(InputTooLargeError, match="pixels"):
        check_image(bomb_png(5000), "b.png", 10_000_000)
    with pytest.raises(CorruptInputError):
        check_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "cut.png", 10_000_000)


def test_decode_data_url() -> None:
    raw = b"\x89PNG-bytes"
    assert decode_data_url("data:image/png;base64," + base64.b64encode(raw).decode(), 100) == raw
    with pytest.raises(InputError, match="data URL"):
        decode_data_url("https://example.com/x.png", 100)
    with pytest.raises(InputTooLargeError):
        decode_data_url("data:image/png;base64," + "A" * 400, 100)


def test_parse_bbox() -> None:
    assert parse_bbox("1,2,3,4") == (1.0, 2.0, 3.0, 4.0)
    assert parse_bbox(None) is None
    with pytest.raises(InputError):
        parse_bbox("1,2,3")
    with pytest.raises(InputError):
        parse_bbox("5,5,1,1")
