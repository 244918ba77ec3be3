"""Bad input through the API: each is a 4xx with a reason, the server keeps serving, nothing changes."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from tests.e2e._live import API_KEY, SAMPLES, LiveServer, bomb_png, start_server

pytestmark = [pytest.mark.model, pytest.mark.slow]

LIMIT = 200_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(
        tmp_path_factory.mktemp("bad-input") / "data", None, SCIPIX_MAX_UPLOAD_BYTES=str(LIMIT)
    )
    yield live
    live.stop()


def _files(name: str, data: bytes) -> dict:
    return {"file": (name, data, "application/octet-stream")}


def _assert_error(answer, status: int, words: str) -> None:  # type: ignore[no-untyped-def]
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "reason"}, body
    assert words.lower() in body["reason"].lower(), body
    assert "Traceback" not in answer.text


def _assert_nothing_stored(server: LiveServer) -> None:
    client = server.client()
    assert client.get("/v1/documents").json()["count"] == 0
    assert client.get("/v1/jobs/1").status_code == 404
    uploads = server.data_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_api_upload_oversized_is_413(server: LiveServer) -> None:
    data = b"%PDF-1.4\n" + b"0" * (LIMIT + 10)
    _assert_error(
        server.client().post("/v1/documents", files=_files("big.pdf", data)), 413, "limit"
    )
    _assert_nothing_stored(server)


def test_api_upload_wrong_magic_is_415(server: LiveServer) -> None:
    client = server.client()
    _assert_error(
        client.post("/v1/documents", files=_files("paper.pdf", b"just some words, not a PDF")),
        415,
        "not a PDF",
    )
    _assert_error(
        client.post("/v1/documents", files=_files("x.png", b"MZ\x90\x00\x03" + b"\x00" * 100)),
        415,
        "not an image",
    )
    _assert_nothing_stored(server)


def test_api_decompression_bomb_png_is_413(server: LiveServer) -> None:
    client = server.client()
    bomb = bomb_png()
    _assert_error(client.post("/v1/documents", files=_files("bomb.png", bomb)), 413, "pixels")
    _assert_error(client.post("/v1/ocr", files=_files("bomb.png", bomb)), 413, "pixels")
    _assert_error(
        client.post("/v1/search/equations", files={"image": ("bomb.png", bomb, "image/png")}),
        413,
        "pixels",
    )
    src = "data:image/png;base64," + base64.b64encode(bomb).decode()
    answer = client.post("/v3/text", json={"src": src, "formats": ["text"]})
    assert answer.status_code == 413 and "pixels" in answer.json()["error"]
    _assert_nothing_stored(server)


def test_api_malformed_latex_is_422(server: LiveServer) -> None:
    answer = server.client().post("/v1/search/equations", json={"latex": r"\frac{a}{b"})
    _assert_error(answer, 422, "")
    assert answer.json()["error"] == "latex_parse_error"


def test_api_empty_queries_are_400(server: LiveServer) -> None:
    client = server.client()
    _assert_error(client.post("/v1/search/equations", json={"latex": "   "}), 400, "empty")
    _assert_error(client.get("/v1/search/documents", params={"q": " "}), 400, "empty")
    _assert_error(
        client.post(
            "/v1/search/equations",
            content=b"{not json",
            headers={"content-type": "application/json"},
        ),
        400,
        "JSON",
    )


def test_api_missing_or_wrong_key_is_401(server: LiveServer) -> None:
    pdf = (SAMPLES / "heat-equation-note.pdf").read_bytes()
    for key in (None, "wrong-key"):
        client = server.client(key=key)
        _assert_error(client.post("/v1/documents", files=_files("a.pdf", pdf)), 401, "API key")
        _assert_error(client.delete("/v1/documents/1"), 401, "API key")
    bearer = server.client(key=None)
    answer = bearer.delete("/v1/documents/999", headers={"Authorization": f"Bearer {API_KEY}"})
    _assert_error(answer, 404, "does not exist")
    _assert_nothing_stored(server)


def test_api_still_serving_after_bad_input(server: LiveServer) -> None:
    client = server.client()
    assert client.get("/readyz").status_code == 200
    assert client.get("/v1/search/documents", params={"q": "heat"}).status_code == 200
    _assert_error(client.get("/v1/nothing-here"), 404, "not found")
    _assert_error(client.get("/v1/documents", params={"limit": 0}), 422, "limit")
    _assert_nothing_stored(server)


CYCLIC_PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (width, height), 255).save(buffer, "PNG")
    return buffer.getvalue()


def test_api_numbers_past_their_columns_are_422(server: LiveServer) -> None:
    client = server.client()
    big = str(2**63)
    for path in (
        f"/v1/documents/{big}",
        f"/v1/jobs/{big}",
        f"/v1/equations/{big}",
        f"/v1/documents/{big}/pages/1/image",
    ):
        _assert_error(client.get(path), 422, "less than or equal")
    _assert_error(client.get("/v1/documents", params={"offset": "1e20"}), 422, "offset")
    _assert_error(client.get("/v1/documents", params={"offset": 10**20}), 422, "offset")
    for k in ("-1", "1000000000"):
        _assert_error(client.get("/v1/search/documents", params={"q": "x", "k": k}), 422, "k")
        answer = client.post("/v1/search/equations", json={"latex": "x", "k": int(k)})
        _assert_error(answer, 422, "k:")
    _assert_nothing_stored(server)


def test_api_damaged_pdfs_and_images_are_4xx(server: LiveServer) -> None:
    client = server.client()
    _assert_error(
        client.post("/v1/ocr", files=_files("cyclic.pdf", CYCLIC_PDF)), 400, "cycle in page tree"
    )
    _assert_error(
        client.post("/v1/ocr", files=_files("strip.png", _png(20000, 20)), data={"mode": "text"}),
        422,
        "too narrow",
    )
    truncated = _png(300, 100)[:-40]
    for answer in (
        client.post("/v1/ocr", files=_files("t.png", truncated)),
        client.post("/v1/search/equations", files={"image": ("t.png", truncated, "image/png")}),
    ):
        _assert_error(answer, 400, "truncated")
    src = "data:image/png;base64," + base64.b64encode(truncated).decode()
    answer = client.post("/v3/text", json={"src": src})
    assert answer.status_code == 400 and "truncated" in answer.json()["error"], answer.text
    _assert_error(
        client.post("/v1/ocr", files=_files("a.pdf", b"%PDF-1.4 nothing else")), 400, "PDF"
    )
    _assert_nothing_stored(server)


def test_api_bbox_not_finite_is_422(server: LiveServer) -> None:
    pdf = (SAMPLES / "heat-equation-note.pdf").read_bytes()
    answer = server.client().post(
        "/v1/ocr", files=_files("a.pdf", pdf), data={"bbox": "nan,0,1e308,inf"}
    )
    _assert_error(answer, 422, "finite")
    _assert_nothing_stored(server)
