"""The Indexer end to end on a temporary SQLite store: LaTeX and PDF inputs, real models."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from scipix_search.config import Settings
from scipix_search.embed import TextEncoder
from scipix_search.ingest import parse_latex_source
from scipix_search.pipeline import Indexer, Models
from scipix_search.store import Passage, repo
from tests.factories import LOREM, make_pdf

pytestmark = pytest.mark.model


@pytest.fixture
def indexer(tmp_path: Path, text_encoder: TextEncoder) -> Indexer:
    # No formula OCR: PDF equations keep their text-layer LaTeX, and no OCR model is loaded.
    settings = Settings(data_dir=tmp_path / "data", pdf_equation_ocr="off")
    return Indexer(settings, models=Models(settings, text_encoder=text_encoder))


def _index_size(indexer: Indexer, kind: str) -> int:
    spec = indexer.passage_spec() if kind == "passages" else indexer.formula_spec()
    return indexer.store.open_index(spec).ntotal


def test_indexer_stores_a_latex_project(indexer: Indexer, fixtures_dir: Path) -> None:
    main = fixtures_dir / "tex" / "project" / "main.tex"
    parsed = parse_latex_source(main)

    outcome = indexer.ingest_file(main)

    assert outcome.status == "added" and outcome.document_id is not None
    assert (outcome.passages, outcome.equations) == (len(parsed.passages), len(parsed.equations))
    assert set(outcome.timings) == set(outcome.cpu) == {"extract", "embed", "store"}
    assert all(seconds >= 0 for seconds in outcome.cpu.values())
    assert outcome.pages == parsed.page_count
    with indexer.store.session() as session:
        document = repo.get_document(session=session, document_id=outcome.document_id)
        assert document is not None and document.kind == "tex"
        assert [e.latex for e in document.equations] == [e.latex for e in parsed.equations]
        assert all(e.canonical and e.mathml and e.embedding for e in document.equations)
        passage = document.passages[0]
        vector = np.frombuffer(passage.embedding, dtype=np.float32)
        expected = indexer.models.text_encoder.encode_document([passage.text])[0]
        np.testing.assert_allclose(vector, expected, atol=1e-5)
    # the database and the FAISS indexes hold the same vectors
    assert _index_size(indexer, "passages") == len(parsed.passages)
    assert _index_size(indexer, "equations") == len(parsed.equations)
    assert indexer.models.built() == ["text_encoder", "formula_encoder"]


def test_indexer_same_bytes_stored_once(
    indexer: Indexer, fixtures_dir: Path, tmp_path: Path
) -> None:
    project = tmp_path / "copy"
    shutil.copytree(fixtures_dir / "tex" / "project", project)
    first = indexer.ingest_file(fixtures_dir / "tex" / "project" / "main.tex")
    again = indexer.ingest_file(project / "main.tex")
    assert again.status == "present" and again.document_id == first.document_id
    with indexer.store.session() as session:
        assert repo.count_rows(session=session)["documents"] == 1


def test_indexer_stores_a_pdf(indexer: Indexer, tmp_path: Path) -> None:
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(make_pdf([[LOREM], [LOREM + " More."]], title="Spectral Notes"))

    outcome = indexer.ingest_file(pdf)

    assert outcome.status == "added" and outcome.passages >= 2
    with indexer.store.session() as session:
        document = repo.get_document(session=session, document_id=outcome.document_id or 0)
        assert document is not None
        assert (document.kind, document.page_count, document.title) == ("pdf", 2, "Spectral Notes")
        assert {p.page for p in document.passages} == {1, 2}
        ids = set(session.scalars(select(Passage.id)))
        assert repo.count_rows(session=session)["equations"] == outcome.equations
    index = indexer.store.open_index(indexer.passage_spec())
    assert set(index.ids().tolist()) == ids


def test_indexer_bad_input_fails_and_stores_nothing(indexer: Indexer, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    full = make_pdf([[LOREM]])
    broken.write_bytes(full[: len(full) // 2])

    outcome = indexer.ingest_file(broken)

    assert outcome.status == "failed" and outcome.reason and "broken.pdf" in outcome.reason
    assert "\n" not in outcome.reason
    with indexer.store.session() as session:
        assert repo.count_rows(session=session)["documents"] == 0
    assert _index_size(indexer, "passages") == 0
