"""A real paper's LaTeX source and its compiled PDF, ingested together as one document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scipix_search.cli import main
from scipix_search.store import Store, repo

pytestmark = [pytest.mark.model, pytest.mark.shared]


def test_cli_pairs_source_with_its_pdf(settings, text_encoder, shared_dir: Path, tmp_path, capsys):
    paper = shared_dir / "papers" / "vial_ferromtm"
    folder = tmp_path / "paper"
    folder.mkdir()
    for name in ("manuscript.tex", "manuscript.pdf"):
        shutil.copy(paper / name, folder / name)
    # A figure the source draws is not a document of its own.
    shutil.copy(paper / "epsilon_fit-eps-converted-to.pdf", folder)

    assert main(["ingest", str(folder), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["status"] for line in lines] == ["added"]
    assert lines[0]["file"].endswith("manuscript.pdf + " + str(folder / "manuscript.tex"))

    store = Store(settings)
    with store.session() as session:
        document = repo.get_document(session=session, document_id=lines[0]["document_id"])
        assert document is not None and document.kind == "pdf" and document.page_count > 1
        displays = [e for e in document.equations if e.display]
        # The source's exact LaTeX (its macros, its spelling), placed on the PDF's pages.
        assert {e.origin for e in document.equations} == {"tex"}
        placed = [e for e in displays if e.page is not None and e.bbox is not None]
        assert len(displays) >= 6 and len(placed) / len(displays) >= 0.9
        assert [e.page for e in placed] == sorted(e.page for e in placed)
        target = next(e for e in placed if e.number == "5")
        target_id, target_page, latex = target.id, target.page, target.latex
        assert all(p.page is not None for p in document.passages)

    # Searching by the source's LaTeX of a display equation finds it, with its page.
    assert main(["search", "--latex", latex, "--json", "-k", "3"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert [(h["id"], h["page"], h["number"]) for h in hits][0] == (target_id, target_page, "5")


def test_cli_no_pair_keeps_two_documents(
    settings, text_encoder, shared_dir: Path, tmp_path, capsys
):
    paper = shared_dir / "papers" / "vial_ferromtm"
    for name in ("manuscript.tex", "manuscript.pdf"):
        shutil.copy(paper / name, tmp_path / name)
    assert (
        main(
            [
                "ingest",
                str(tmp_path / "manuscript.tex"),
                str(tmp_path / "manuscript.pdf"),
                "--no-pair",
                "--json",
            ]
        )
        == 0
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["status"] for line in lines] == ["added", "added"]
