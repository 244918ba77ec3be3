"""Page images come from the original kept by content, never from a name on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from scipix_search.api.app import create_app
from scipix_search.config import Settings
from scipix_search.pipeline import Indexer
from scipix_search.store import Document, original_path
from tests.factories import LOREM, make_pdf

pytestmark = pytest.mark.model


@pytest.fixture
def indexer(settings: Settings, text_encoder) -> Indexer:  # type: ignore[no-untyped-def]
    return Indexer(settings, text_encoder=text_encoder)


def _client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings.model_copy(update={"embedded_worker": False})))


def test_page_image_uses_the_stored_original_not_the_working_directory(
    settings: Settings, indexer: Indexer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingested = tmp_path / "in"
    ingested.mkdir()
    pdf = make_pdf([[LOREM], [LOREM]], title="Two Pages")
    (ingested / "paper.pdf").write_bytes(pdf)
    outcome = indexer.ingest_file(ingested / "paper.pdf")
    assert outcome.status == "added" and outcome.document_id is not None
    with indexer.store.session() as session:
        document = session.get(Document, outcome.document_id)
        assert document is not None and document.stored_file is not None
        assert original_path(settings, document.stored_file).read_bytes() == pdf

    # The server runs where an unrelated six-page paper.pdf lies, and the ingested file is gone.
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    (elsewhere / "paper.pdf").write_bytes(make_pdf([[LOREM]] * 6, title="Unrelated"))
    (ingested / "paper.pdf").unlink()
    monkeypatch.chdir(elsewhere)
    client = _client(settings)
    base = f"/v1/documents/{outcome.document_id}/pages"
    page = client.get(f"{base}/2/image")
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
    fifth = client.get(f"{base}/5/image")
    assert fifth.status_code == 404 and "1..2" in fifth.json()["reason"]

    # A document without a stored original answers 404 with the reason, whatever lies in cwd.
    with indexer.store.session() as session:
        document = session.get(Document, outcome.document_id)
        assert document is not None
        document.stored_file = None
    missing = client.get(f"{base}/1/image")
    assert missing.status_code == 404
    assert "before original files were kept" in missing.json()["reason"]


def test_same_bytes_under_two_names_are_stored_once(
    settings: Settings, indexer: Indexer, tmp_path: Path
) -> None:
    pdf = make_pdf([[LOREM]], title="Once")
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(pdf)
    assert indexer.ingest_file(tmp_path / "a.pdf").status == "added"
    assert indexer.ingest_file(tmp_path / "b.pdf").status == "present"
    tex = rb"\documentclass{article}\begin{document}\begin{equation}E=mc^2\end{equation}\end{document}"
    assert indexer.ingest_bytes(tex, "note.tex").status == "added"
    files = sorted(p.name for p in (settings.data_dir / "files").rglob("*") if p.is_file())
    assert len(files) == 2 and {Path(f).suffix for f in files} == {".pdf", ".tex"}


def test_a_source_and_pdf_pair_keeps_its_pdf_and_shows_its_pages(
    settings: Settings, indexer: Indexer
) -> None:
    fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "pdf"
    tex, pdf = fixtures / "inline_math.tex", fixtures / "inline_math.pdf"
    outcome = indexer.ingest_pair(tex, pdf)
    assert outcome.status == "added", outcome.reason
    with indexer.store.session() as session:
        document = session.get(Document, outcome.document_id)
        assert document is not None and document.stored_file is not None
        assert original_path(settings, document.stored_file).read_bytes() == pdf.read_bytes()
    kept = {p.suffix for p in (settings.data_dir / "files").rglob("*") if p.is_file()}
    assert kept == {".pdf"}
    page = _client(settings).get(f"/v1/documents/{outcome.document_id}/pages/1/image")
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")


def test_deleting_a_document_deletes_its_original_unless_another_names_it(
    settings: Settings, indexer: Indexer
) -> None:
    fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "pdf"
    tex, pdf = fixtures / "inline_math.tex", fixtures / "inline_math.pdf"
    alone = indexer.ingest_file(pdf)
    pair = indexer.ingest_pair(tex, pdf)
    assert alone.status == pair.status == "added"
    with indexer.store.session() as session:
        key = session.get(Document, alone.document_id).stored_file  # type: ignore[union-attr]
    assert key is not None
    client = _client(settings)
    assert client.delete(f"/v1/documents/{pair.document_id}").status_code == 204
    assert original_path(settings, key).is_file()  # the PDF alone still names it
    assert client.get(f"/v1/documents/{alone.document_id}/pages/1/image").status_code == 200
    assert client.delete(f"/v1/documents/{alone.document_id}").status_code == 204
    assert not original_path(settings, key).exists()


def _edge_pixels(png: bytes) -> tuple[int, int, int, int]:
    """The extent of the highlight's orange edge in a page image (x0, y0, x1, y1 pixels)."""
    import io

    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    ys, xs = np.nonzero((r > 200) & (g > 80) & (g < 170) & (b < 80))
    assert len(xs), "no highlight drawn"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def test_full_page_image_boxes_equations_where_they_are(
    settings: Settings, indexer: Indexer
) -> None:
    fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "pdf"
    outcome = indexer.ingest_file(fixtures / "display_math.pdf")
    assert outcome.status == "added", outcome.reason
    tex = indexer.ingest_bytes(
        rb"\documentclass{article}\begin{document}\[E=mc^2\]\end{document}", "e.tex"
    )
    client = _client(settings)
    base = f"/v1/documents/{outcome.document_id}/pages"
    page = client.get(f"{base}/1").json()
    import pymupdf

    with pymupdf.open(fixtures / "display_math.pdf") as pdf:
        size = pdf[0].rect
    assert (page["width"], page["height"]) == pytest.approx((size.width, size.height), abs=0.5)
    assert page["image"] == f"{base}/1/image"
    with indexer.store.session() as session:
        document = session.get(Document, outcome.document_id)
        assert document is not None
        placed = [(e.id, e.page, e.bbox) for e in document.equations if e.display and e.bbox]
    assert placed
    for dpi in (72, 144):
        scale = dpi / 72
        for eq_id, number, bbox in placed[:3]:
            answer = client.get(f"{base}/{number}/image", params={"equation": eq_id, "dpi": dpi})
            assert answer.status_code == 200, answer.text
            x0, y0, x1, y1 = _edge_pixels(answer.content)
            # the edge is drawn 2 pt outside the box, 1.2 pt wide
            expected = [v * scale for v in bbox]
            assert abs(x0 - (expected[0] - 2 * scale)) <= 2 * scale + 1
            assert abs(y0 - (expected[1] - 2 * scale)) <= 2 * scale + 1
            assert abs(x1 - (expected[2] + 2 * scale)) <= 2 * scale + 1
            assert abs(y1 - (expected[3] + 2 * scale)) <= 2 * scale + 1
    # boxes by coordinates, the page alone, and the errors a page view can meet
    drawn = client.get(f"{base}/1/image", params=[("box", "100,100,200,150"), ("dpi", "72")])
    assert _edge_pixels(drawn.content) == pytest.approx((97, 97, 203, 153), abs=2)
    eq_id, number, _ = placed[0]
    other = 2 if number == 1 else 1
    assert client.get(f"{base}/{other}/image", params={"equation": eq_id}).status_code == 404
    assert client.get(f"{base}/1/image", params={"box": "1,2,3"}).status_code == 422
    assert client.get(f"{base}/9").status_code == 404
    assert client.get(f"/v1/documents/{tex.document_id}/pages/1/image").status_code == 415
    schema = client.get("/openapi.json").json()
    image_op = schema["paths"]["/v1/documents/{document_id}/pages/{number}/image"]["get"]
    assert {"404", "415", "422"} <= set(image_op["responses"])
