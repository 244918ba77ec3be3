"""OCR endpoints: ``/v1/ocr`` and the Mathpix-compatible ``/v3/text``, with the real models."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from tests.e2e._live import SAMPLES, LiveServer, formula_png, start_server

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("ocr") / "data", None)
    yield live
    live.stop()


def test_api_mathpix_v3_text_documented_example(server: LiveServer) -> None:
    src = "data:image/png;base64," + base64.b64encode(formula_png("a+b=c")).decode()
    answer = server.client().post(
        "/v3/text",
        json={
            "src": src,
            "formats": ["text", "data"],
            "data_options": {
                "include_asciimath": True,
                "include_latex": True,
                "include_mathml": True,
            },
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    for field in ("request_id", "text", "latex_styled", "data", "confidence"):
        assert field in body, field
    assert body["latex_styled"] == "a+b=c"
    assert body["text"] == r"\( a+b=c \)"
    assert 0.5 < body["confidence"] <= 1
    types = {item["type"]: item["value"] for item in body["data"]}
    assert set(types) == {"asciimath", "latex", "mathml"}
    assert types["latex"] == "a+b=c" and types["asciimath"] == "a+b=c"
    assert types["mathml"].startswith("<math")


def test_api_mathpix_v3_text_multipart_file(server: LiveServer) -> None:
    answer = server.client().post(
        "/v3/text",
        files={"file": ("f.png", formula_png("x+y=z"), "image/png")},
        data={"options_json": json.dumps({"formats": ["text"]})},
    )
    assert answer.status_code == 200, answer.text
    text = answer.json()["text"]
    assert text.startswith(r"\( x+y=z") and text.endswith(r"\)"), text
    assert "data" not in answer.json()


def test_api_mathpix_remote_url_refused(server: LiveServer) -> None:
    answer = server.client().post("/v3/text", json={"src": "https://example.com/a.png"})
    assert answer.status_code == 400
    assert "data URL" in answer.json()["error"]


def test_api_ocr_image_formula_and_text(server: LiveServer) -> None:
    answer = server.client().post(
        "/v1/ocr", files={"file": ("f.png", formula_png("a+b=c"), "image/png")}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["latex"] == "a+b=c" and body["mathml"].startswith("<math")
    assert body["confidence"] > 0.5
    assert isinstance(body["lines"], list)


def test_api_ocr_pdf_page_text_lines(server: LiveServer) -> None:
    pdf = (SAMPLES / "heat-equation-note.pdf").read_bytes()
    answer = server.client().post(
        "/v1/ocr",
        files={"file": ("p.pdf", pdf, "application/pdf")},
        # The title and abstract: a whole page of math is minutes of text OCR on a loaded runner.
        data={"page": "1", "bbox": "72,100,540,280", "mode": "text"},
    )
    assert answer.status_code == 200, answer.text
    lines = answer.json()["lines"]
    assert any("heat" in line["text"].lower() for line in lines), lines[:5]
    assert all(len(line["bbox"]) == 4 and 0 <= line["confidence"] <= 1 for line in lines)


def test_api_search_equations_by_image(server: LiveServer) -> None:
    answer = server.client().post(
        "/v1/search/equations", files={"image": ("q.png", formula_png("a+b=c"), "image/png")}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["ocr"]["latex"] == "a+b=c"
    assert answer.json()["query"] == "a+b=c"
