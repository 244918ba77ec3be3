"""No 500 from input: numbers past their columns, boxes off the page, damaged PDFs and images,
a full or read-only store, and anything left over (TestClient on a real SQLite store, no models).
"""

from __future__ import annotations

import errno
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import event

from scipix_search.api._inputs import check_pdf
from scipix_search.api._render import parse_bbox, render_region
from scipix_search.api.app import create_app
from scipix_search.api.errors import (
    InvalidParameterError,
    public_reason,
    scrub_paths,
    status_of,
    storage_failure,
)
from scipix_search.config import Settings
from scipix_search.exceptions import (
    CorruptInputError,
    InputError,
    ReadOnlyStoreError,
    StorageFullError,
    StoreError,
)
from scipix_search.store import Document, Store, get_engine
from scipix_search.worker import enqueue
from tests.factories import LOREM, make_pdf

INT64_OVERFLOW = str(2**63)

# A page tree whose only kid is itself: MuPDF opens it and counts one page, then fails to load it.
CYCLIC_PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 255).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"embedded_worker": False})


@pytest.fixture
def client(app_settings: Settings) -> Iterator[TestClient]:
    # raise_server_exceptions=False: a 500 must come back as an answer for the asserts to see
    yield TestClient(create_app(app_settings), raise_server_exceptions=False)


def _assert_4xx(answer, status: int, words: str = "") -> None:  # type: ignore[no-untyped-def]
    assert answer.status_code == status, answer.text
    body = answer.json()
    reason = body.get("reason") or body.get("error") or ""
    assert words.lower() in reason.lower(), body
    assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/documents/{INT64_OVERFLOW}",
        f"/v1/jobs/{INT64_OVERFLOW}",
        f"/v1/equations/{INT64_OVERFLOW}",
        f"/v1/equations/{INT64_OVERFLOW}/similar",
        f"/v1/documents/{INT64_OVERFLOW}/pages/1/image",
        f"/v1/documents/1/pages/{INT64_OVERFLOW}/image",
        "/v1/documents/2147483648",
        "/v1/documents/-1",
        "/v1/documents/0",
        "/v1/documents?offset=1e20",
        f"/v1/documents?offset={10**20}",
        "/v1/documents?limit=1000000000",
        "/v1/equations/1/similar?k=-1",
        "/v1/equations/1/similar?k=1000000000",
    ],
)
def test_numbers_past_their_columns_are_422(client: TestClient, path: str) -> None:
    _assert_4xx(client.get(path), 422)


@pytest.mark.parametrize("params", [{"title": "a\x00b"}, {"kind": "\x00"}, {"q": "heat\x00"}])
def test_nul_in_query_parameters_is_422(client: TestClient, params: dict) -> None:
    # PostgreSQL text cannot hold NUL (a DataError there): refused before any route runs.
    path = "/v1/search/documents" if "q" in params else "/v1/documents"
    _assert_4xx(client.get(path, params=params), 422, "NUL")


def test_largest_id_is_a_plain_404(client: TestClient) -> None:
    _assert_4xx(client.get("/v1/documents/2147483647"), 404, "does not exist")
    _assert_4xx(client.get("/v1/jobs/2147483647"), 404, "does not exist")


@pytest.mark.parametrize(
    "body",
    [
        {"latex": "x", "k": -1},
        {"latex": "x", "k": 1_000_000_000},
        {"latex": "x", "offset": 10**20},
        {"latex": "x", "document_id": 2**63},
    ],
)
def test_equation_search_bounds_are_422(client: TestClient, body: dict) -> None:
    _assert_4xx(client.post("/v1/search/equations", json=body), 422, "should be")
    # the same fields in a form with an image: refused before the image is read
    form = {k: str(v) for k, v in body.items() if k != "latex"}
    files = {"image": ("a.png", b"not read", "image/png")}
    _assert_4xx(client.post("/v1/search/equations", data=form, files=files), 422)


@pytest.mark.parametrize("bbox", ["nan,0,10,10", "0,0,inf,10", "-inf,0,1,1", "1,2,3", "a,b,c,d"])
def test_bbox_not_four_finite_numbers_is_422(client: TestClient, bbox: str) -> None:
    with pytest.raises(InvalidParameterError):
        parse_bbox(bbox)
    pdf = make_pdf([[LOREM]])
    answer = client.post(
        "/v1/ocr",
        files={"file": ("a.pdf", pdf, "application/pdf")},
        data={"bbox": bbox, "mode": "formula"},
    )
    _assert_4xx(answer, 422, "bbox")


def test_huge_bbox_is_clamped_to_the_page(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(make_pdf([[LOREM]]))
    whole = render_region(pdf, 1, bbox=(-1e308, -1e308, 1e308, 1e308), highlight=True, dpi=72)
    with Image.open(io.BytesIO(whole)) as image:
        assert image.size == (595, 842)  # the A4 page, not an overflowed size
    with pytest.raises(InputError, match="outside the page"):
        render_region(pdf, 1, bbox=(5000, 5000, 6000, 6000), highlight=True, dpi=72)


def test_cyclic_page_tree_is_400(client: TestClient) -> None:
    assert check_pdf(CYCLIC_PDF, "c.pdf", 10) == 1  # MuPDF counts it; rendering it fails
    answer = client.post("/v1/ocr", files={"file": ("c.pdf", CYCLIC_PDF, "application/pdf")})
    _assert_4xx(answer, 400, "cannot be rendered")


def test_pdf_cut_anywhere_is_refused_before_rendering() -> None:
    # MuPDF repairs some cuts into a blank or half page and fails on others, depending on
    # which object the cut lands in (and so on the PDF writer's version): every cut is refused.
    pdf = make_pdf([[LOREM]])
    for percent in range(5, 100, 5):
        with pytest.raises(CorruptInputError, match="not a readable PDF|truncated|no pages"):
            check_pdf(pdf[: len(pdf) * percent // 100], "t.pdf", 10)
    assert check_pdf(pdf, "t.pdf", 10) == 1


def test_truncated_pdf_and_wrong_content_are_4xx(client: TestClient) -> None:
    pdf = make_pdf([[LOREM]])
    for data in (pdf[: len(pdf) // 3], pdf[: len(pdf) * 3 // 4], pdf[:20]):
        answer = client.post("/v1/ocr", files={"file": ("t.pdf", data, "application/pdf")})
        assert 400 <= answer.status_code < 500, answer.text
    _assert_4xx(client.post("/v1/ocr", files={"file": ("x.png", b"plain words", "image/png")}), 415)
    _assert_4xx(client.post("/v1/ocr", content=b"x", headers={"content-type": "text/plain"}), 422)
    _assert_4xx(client.post("/v3/text", content=b"{}", headers={"content-type": "text/x"}), 415)
    answer = client.post("/v3/text", json={"src": "data:image/png;base64,cGxhaW4gd29yZHM="})
    _assert_4xx(answer, 415)


def test_strip_too_narrow_for_text_ocr_is_422(client: TestClient) -> None:
    # RapidOCR fails inside on 20000x20 (its resize rounds the height to 0): refused before.
    answer = client.post(
        "/v1/ocr", files={"file": ("w.png", _png(20000, 20), "image/png")}, data={"mode": "text"}
    )
    _assert_4xx(answer, 422, "too narrow")


def _sqlite_error(pragma: str, tmp_path: Path) -> sqlite3.OperationalError:
    """A real SQLite error: a write under ``pragma`` (page cap, or query-only)."""
    db = sqlite3.connect(tmp_path / f"probe-{abs(hash(pragma))}.db")
    db.execute("CREATE TABLE t (x BLOB)")
    db.commit()
    db.execute(pragma)
    try:
        db.execute("INSERT INTO t VALUES (zeroblob(100000))")
    except sqlite3.OperationalError as exc:
        return exc
    finally:
        db.close()
    raise AssertionError(f"{pragma} did not stop the write")


def test_storage_failures_are_507_and_503(tmp_path: Path) -> None:
    full = _sqlite_error("PRAGMA max_page_count = 2", tmp_path)
    read_only = _sqlite_error("PRAGMA query_only = ON", tmp_path)
    assert "database or disk is full" in str(full)
    wrapped_full = StoreError("insert failed")
    wrapped_full.__cause__ = full
    wrapped_read_only = StoreError("insert failed")
    wrapped_read_only.__cause__ = read_only
    assert status_of(wrapped_full) == (507, "insufficient_storage")
    assert status_of(wrapped_read_only) == (503, "read_only")
    assert status_of(StorageFullError("no space")) == (507, "insufficient_storage")
    assert status_of(ReadOnlyStoreError("read-only")) == (503, "read_only")
    assert storage_failure(OSError(errno.ENOSPC, "No space left on device"))[0] == 507  # type: ignore[index]
    assert storage_failure(OSError(errno.EROFS, "Read-only file system"))[0] == 503  # type: ignore[index]
    assert storage_failure(OSError(errno.ENOENT, "No such file")) is None
    assert storage_failure(StoreError("other")) is None


def test_read_only_database_answers_503(app_settings: Settings, client: TestClient) -> None:
    with Store(app_settings).session() as session:
        session.add(Document(sha256="ab" * 32, source="a.tex", kind="tex"))
    engine = get_engine(app_settings)

    def query_only(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA query_only = ON")

    engine.dispose()
    event.listen(engine, "connect", query_only)
    try:
        answer = client.delete("/v1/documents/1")
    finally:
        event.remove(engine, "connect", query_only)
        engine.dispose()
    _assert_4xx(answer, 503, "read-only")
    assert answer.json()["error"] == "read_only"
    assert "SQL" not in answer.text and "sqlite" not in answer.text.lower()


def test_full_database_answers_507(app_settings: Settings, client: TestClient) -> None:
    """The database file may not grow (a real SQLITE_FULL, as on a full disk): uploads go on
    until a job row needs a new page, and that upload is a 507 with a reason."""
    engine = get_engine(app_settings)
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def cap(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()
    event.listen(engine, "connect", cap)
    try:
        for i in range(300):
            source = f"\\section{{A}} paper {i} " + "x" * 3000
            files = {"file": (f"p{i}.tex", source.encode(), "text/plain")}
            answer = client.post("/v1/documents", files=files)
            if answer.status_code != 202:
                break
    finally:
        event.remove(engine, "connect", cap)
        engine.dispose()
    _assert_4xx(answer, 507, "disk is full")
    assert answer.json()["error"] == "insufficient_storage"
    assert "INSERT" not in answer.text and "sqlite" not in answer.text.lower()


def test_job_errors_show_no_paths(app_settings: Settings, client: TestClient) -> None:
    store_path = str(app_settings.data_dir.resolve() / "uploads" / "ab" / "abcdef.pdf")
    with Store(app_settings).session() as session:
        job = enqueue(session=session, kind="ingest", payload={"sha256": "ab"})
        job.status, job.error = "failed", f"[Errno 28] No space left on device: '{store_path}'"
        job_id = job.id
    answer = client.get(f"/v1/jobs/{job_id}")
    assert answer.status_code == 200
    error = answer.json()["error"]
    assert error == "[Errno 28] No space left on device: 'abcdef.pdf'"
    assert str(app_settings.data_dir.name) not in answer.text


def test_public_reason_and_scrub_paths() -> None:
    assert scrub_paths("cannot open /srv/scipix/data/files/ab/x.pdf now") == "cannot open x.pdf now"
    assert scrub_paths("./scipix-data/uploads/x.pdf: bad") == "x.pdf: bad"
    kept = "see http://example.org/a/b, image/png, 1/2/3 and \\frac{a}/{b}"
    assert scrub_paths(kept) == kept
    raw = "(sqlite3.OperationalError) database or disk is full [SQL: INSERT INTO jobs ...]"
    assert public_reason(raw) == "the server's disk is full"
    assert public_reason("x.tex: bad [SQL: SELECT 1]") == "x.tex: bad"


def test_anything_left_is_a_json_500_without_internals(client: TestClient) -> None:
    @client.app.get("/boom")  # type: ignore[attr-defined,untyped-decorator]
    def boom() -> None:
        raise RuntimeError("secret at /srv/scipix/data/internal.db")

    answer = client.get("/boom")
    assert answer.status_code == 500
    body = answer.json()
    assert body["error"] == "internal_error" and "incident" in body["reason"]
    assert "secret" not in answer.text and "/srv" not in answer.text


def test_corrupt_input_maps_to_400() -> None:
    assert status_of(CorruptInputError("x"))[0] == 400
