"""The typeset corpus (benchmarks/typeset): a tiny sample built with pdflatex, read back.

Two documents (Computer Modern and Times/newtx, one-column article) built from the real
im2latex formulas of ../shared/data. Assertions are rates, never counts of one document.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.typeset.build import build_corpus
from scipix_search.eval import PdfEquationScore, paper_folders, score_pdf_equations
from scipix_search.ingest import read_tex_equations
from tests.factories import requires_pdflatex

pytestmark = [
    pytest.mark.slow,
    pytest.mark.shared,
    requires_pdflatex(),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("typeset")
    docs = build_corpus(
        out, docs_per_cell=1, classes=["article"], fonts=["cm", "newtx"], data_dir=shared_dir
    )
    assert [d.error for d in docs] == [None, None]
    return out


def test_documents_are_paper_folders(corpus: Path) -> None:
    papers = paper_folders(corpus)
    assert [p.name for p in papers] == ["article__cm__0", "article__newtx__0"]
    for paper in papers:
        assert [p.name for p in paper.folder.glob("*.tex")] == ["doc.tex"]
        assert [p.name for p in paper.folder.glob("*.pdf")] == ["doc.pdf"]
        assert (paper.folder / "truth.json").is_file()


def test_reader_reads_the_source_rows(corpus: Path) -> None:
    for paper in paper_folders(corpus):
        truth = json.loads((paper.folder / "truth.json").read_text(encoding="utf-8"))
        equations = read_tex_equations(paper.tex)
        display = [e for e in equations if e.display]
        inline = [e for e in equations if not e.display]
        assert len(display) == truth["expected"]["display_rows"] > 0
        assert len(inline) == truth["expected"]["inline"] > 0
        # every numbered row carries a \label: LaTeX's own number (.aux) is the truth
        labelled = [e for e in display if e.label in truth["numbers"]]
        assert labelled
        agree = sum(e.number == truth["numbers"][e.label] for e in labelled)
        assert agree / len(labelled) == 1.0


def test_pdf_display_detection_recall(corpus: Path) -> None:
    total = PdfEquationScore()
    for paper in paper_folders(corpus):
        res = score_pdf_equations(paper)
        print(f"{paper.name}: recall {res.recall:.3f} precision {res.precision:.3f}")
        total += res
    print(f"latex@0.8 {total.latex_ok:.3f} (text layer; reported, not asserted)")
    assert total.rows > 0
    assert total.recall >= 0.9
