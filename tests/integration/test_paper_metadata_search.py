"""Paper metadata end to end: stored at ingestion, shown by the CLI and the API, and the
``author:``/``year:`` filters of a query (CLI and ``GET /v1/search``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from scipix_search.api.app import create_app
from scipix_search.cli import main
from scipix_search.config import Settings

pytestmark = pytest.mark.model

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
TITLE = "Spectral Sparsification of Heat Kernels on Weighted Graphs"


@pytest.fixture
def library(settings: Settings, text_encoder, fixtures_dir: Path, tmp_path: Path, capsys):
    """The metadata fixture (as a source folder: .tex + .pdf) and a sample note on heat."""
    folder = tmp_path / "papers"
    shutil.copytree(fixtures_dir / "meta", folder / "sparsify")
    shutil.copy(SAMPLES / "heat-equation-note.pdf", folder / "heat-equation-note.pdf")
    assert main(["ingest", str(folder), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (paper,) = [line["document_id"] for line in lines if line["file"].endswith("paper.tex")]
    return settings, paper


def test_metadata_is_shown_and_filters_search_in_cli_and_api(library, capsys):
    """One library for both (ingestion is most of the time)."""
    settings, paper = library
    assert main(["search", "heat author:lovelace", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and {h["document_id"] for h in hits} == {paper}
    assert main(["search", "heat year:2021", "-k", "3"]) == 0
    out = capsys.readouterr().out
    assert f"{TITLE} · Lovelace, Gauss et al. (2021)" in out
    assert "heat-equation-note" not in out
    assert main(["search", "heat author:nobody"]) == 0
    assert "no results" in capsys.readouterr().out
    assert main(["search", "heat year:20x"]) == 2  # a user error, one line
    assert "year:20x" in capsys.readouterr().err
    assert main(["stats", "--documents"]) == 0
    listing = capsys.readouterr().out
    assert f". {TITLE}" in listing and "Ada M. Lovelace, Carl Friedrich Gauss" in listing
    assert (
        "2021 · paper.pdf + paper.tex arXiv:2103.04567v2 doi:10.1234/fixture.2021.0042" in listing
    )
    client = TestClient(create_app(settings.model_copy(update={"embedded_worker": False})))
    doc = client.get(f"/v1/documents/{paper}").json()
    assert doc["title"] == TITLE and doc["year"] == 2021
    assert doc["authors"] == ["Ada M. Lovelace", "Carl Friedrich Gauss", "Sofia van der Berg"]
    assert doc["arxiv_id"] == "2103.04567v2" and doc["doi"] == "10.1234/fixture.2021.0042"
    assert doc["abstract"].startswith("We bound the spectral error")
    found = client.get("/v1/search", params={"q": "heat author:gauss"}).json()
    assert [d["document_id"] for d in found["documents"]] == [paper]
    assert found["documents"][0]["authors"][0] == "Ada M. Lovelace"
    assert found["words"] == "heat"
    by_param = client.get("/v1/search", params={"q": "heat", "year": "2000-2020"}).json()
    assert paper not in [d["document_id"] for d in by_param["documents"]]
    text = client.get("/v1/search/documents", params={"q": "heat", "author": "lovelace"}).json()
    assert text["data"] and {h["document_id"] for h in text["data"]} == {paper}
    assert text["documents"][0]["year"] == 2021
    assert client.get("/v1/search", params={"q": "heat year:abc"}).status_code == 400
