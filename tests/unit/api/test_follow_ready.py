"""An API process that follows the database (``worker_writes_index=false``): documents a worker
stores become searchable without any file from it, and ``/readyz`` says when catching up fails."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from scipix_search.api.app import create_app
from scipix_search.config import Settings
from scipix_search.store import IndexSpec, Store
from tests.factories import parsed_document, random_unit_vectors

pytestmark = pytest.mark.model


def _until(check: Callable[[], bool], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_followed_api_finds_new_documents_and_reports_a_stuck_catch_up(
    settings: Settings, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    api = settings.model_copy(
        update={
            "data_dir": tmp_path / "api",
            "database_url": url,
            "worker_writes_index": False,
            "embedded_worker": False,
            "index_refresh_s": 0.1,
        }
    )
    worker = Store(Settings(data_dir=tmp_path / "worker", database_url=url))
    with TestClient(create_app(api)) as client:
        assert client.get("/readyz").status_code == 200
        encoder = client.app.state.services.models.text_encoder  # type: ignore[attr-defined]
        spec = IndexSpec("passages", encoder.name, encoder.dim)

        def store(name: str, seed: int, vectors: object) -> int:
            document_id = worker.add_document(
                parsed_document(name, passages=2, seed=seed),
                passage_vectors=vectors,  # type: ignore[arg-type]
                equation_extras=[],
                passage_spec=spec,
                equation_spec=IndexSpec("equations", "unused", 4),
                write_index=False,
            )
            assert document_id is not None
            return document_id

        good = store("good.pdf", 1, encoder.encode_document(["heat in a rod", "a cooling law"]))

        def found() -> bool:
            # The passages' text is lorem ipsum: only their vectors (the index) can find them.
            hits = client.get("/v1/search/documents", params={"q": "heat in a rod"})
            return any(h["document_id"] == good for h in hits.json()["data"])

        assert _until(found), "a stored document never became searchable"

        # A row whose vector has the wrong size cannot be added: not ready, with the reason.
        bad = store("bad.pdf", 2, random_unit_vectors(2, 8))
        assert _until(lambda: client.get("/readyz").status_code == 503)
        assert "catch up" in client.get("/readyz").json()["checks"]["indexes"]
        worker.delete_document(bad)
        assert _until(lambda: client.get("/readyz").status_code == 200)
        assert found()
