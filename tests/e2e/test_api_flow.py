"""The API over real HTTP on loopback, on SQLite and PostgreSQL: upload, wait, search, delete."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _fresh_postgres_url, postgres_url_or_skip
from tests.e2e._live import PAPER_TEX, SAMPLES, LiveServer, start_server, wait_for_job

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    url = _fresh_postgres_url(postgres_url_or_skip()) if request.param == "postgres" else None
    live = start_server(tmp_path_factory.mktemp(f"api-{request.param}") / "data", url)
    yield live
    live.stop()


def _upload(client, path_or_name: Path | str, data: bytes | None = None):  # type: ignore[no-untyped-def]
    if isinstance(path_or_name, Path):
        name, data = path_or_name.name, path_or_name.read_bytes()
    else:
        name = path_or_name
    return client.post("/v1/documents", files={"file": (name, data, "application/octet-stream")})


def test_api_upload_search_delete_roundtrip(server: LiveServer) -> None:
    client = server.client()
    pdf = SAMPLES / "heat-equation-note.pdf"

    # Upload a real PDF and a LaTeX source; both are queued, then done by the embedded worker.
    answer = _upload(client, pdf)
    assert answer.status_code == 202, answer.text
    pdf_job = wait_for_job(client, answer.json()["job"]["id"])
    assert pdf_job["status"] == "succeeded", pdf_job
    pdf_id = pdf_job["document_id"]
    answer = _upload(client, "triangles.tex", PAPER_TEX)
    assert answer.status_code == 202, answer.text
    tex_job = wait_for_job(client, answer.json()["job"]["id"])
    assert tex_job["status"] == "succeeded", tex_job
    tex_id = tex_job["document_id"]
    assert tex_job["result"]["equations"] >= 3

    # The same bytes again: the stored document, no new job.
    again = _upload(client, pdf)
    assert again.status_code == 200
    assert again.json()["status"] == "present"
    assert again.json()["document"]["id"] == pdf_id

    listing = client.get("/v1/documents", params={"limit": 1}).json()
    assert listing["count"] == 2 and len(listing["data"]) == 1
    assert client.get("/v1/documents", params={"kind": "pdf"}).json()["count"] == 1

    # By text (the worker's index is picked up without a restart).
    found = client.get("/v1/search/documents", params={"q": "diffusion of temperature in a rod"})
    assert found.status_code == 200
    assert found.json()["data"][0]["document_id"] == pdf_id
    assert found.json()["documents"][0]["document_id"] == pdf_id

    # By equation, with renamed variables.
    hits = client.post("/v1/search/equations", json={"latex": "x^2+y^2=z^2", "k": 5}).json()
    assert hits["data"], hits
    top = hits["data"][0]
    assert top["document_id"] == tex_id and top["kind"] == "equation"
    assert top["latex"].replace(" ", "") in ("a^{2}+b^{2}=c^{2}", "a^2+b^2=c^2")

    # Words and math in one query: the paper the words find and the one the formula finds,
    # each with what found it.
    mixed = client.get("/v1/search", params={"q": "temperature in a rod $x^2+y^2=z^2$"})
    assert mixed.status_code == 200, mixed.text
    body = mixed.json()
    assert body["words"] == "temperature in a rod" and body["formulas"] == ["x^2+y^2=z^2"]
    documents = {d["document_id"]: d for d in body["documents"]}
    assert {pdf_id, tex_id} <= set(documents)
    assert documents[pdf_id]["passage"]["kind"] == "passage"
    assert documents[tex_id]["equations"][0]["id"] == top["id"]
    assert client.get("/v1/search", params={"q": "  "}).status_code == 400
    assert client.get("/v1/search", params={"q": "$\\frac{a$"}).status_code == 422

    # The equation, with its MathML and document; and those similar to it.
    equation = client.get(f"/v1/equations/{top['id']}").json()
    assert equation["mathml"].startswith("<math") and "<msup>" in equation["mathml"]
    assert equation["document"]["id"] == tex_id
    similar = client.get(f"/v1/equations/{top['id']}/similar", params={"k": 3}).json()
    assert all(h["id"] != top["id"] for h in similar["data"])
    detail = client.get(f"/v1/documents/{tex_id}").json()
    assert len(detail["equations"]) >= 3

    # A page region of the PDF as PNG.
    image = client.get(f"/v1/documents/{pdf_id}/pages/1/image", params={"bbox": "72,80,300,120"})
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")

    # Delete both; they are gone from search, listing and storage.
    for doc_id in (pdf_id, tex_id):
        assert client.delete(f"/v1/documents/{doc_id}").status_code == 204
        assert client.get(f"/v1/documents/{doc_id}").status_code == 404
    gone = client.get("/v1/search/documents", params={"q": "diffusion of temperature"}).json()
    assert all(h["document_id"] != pdf_id for h in gone["data"])
    gone = client.post("/v1/search/equations", json={"latex": "a^2+b^2=c^2"}).json()
    assert gone["data"] == []
    assert client.get("/v1/documents").json()["count"] == 0
    assert not any((server.data_dir / "uploads").glob("[0-9a-f]*"))


def test_api_health_and_docs(server: LiveServer) -> None:
    client = server.client(key=None)
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz").json()
    assert ready["checks"]["database"] == "ok"
    spec = client.get("/openapi.json").json()
    for path in ("/v1/documents", "/v1/search/equations", "/v1/ocr", "/v3/text"):
        assert path in spec["paths"]
    assert client.get("/docs").status_code == 200
