"""Near-duplicate documents: another build of a stored paper is linked, not indexed twice."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from scipix_search.config import Settings
from scipix_search.embed import TextEncoder
from scipix_search.ingest import collect_files, pair_sources
from scipix_search.pipeline import Indexer, Models
from scipix_search.pipeline._duplicates import same_authors
from scipix_search.store import repo
from tests.factories import LOREM

TITLE = "Heat Kernels and Sparse Graphs in Practice"


def _paper(title: str, authors: str | None, body: str, header: str = "") -> bytes:
    """A one-page paper: a large title, an author line below it, then prose."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    if header:
        page.insert_text((72, 35), header, fontsize=8)
    page.insert_textbox(pymupdf.Rect(72, 60, 523, 140), title, fontsize=20, align=1)
    if authors:
        page.insert_textbox(pymupdf.Rect(72, 150, 523, 180), authors, fontsize=12, align=1)
    page.insert_textbox(pymupdf.Rect(72, 190, 523, 700), f"{body} {LOREM} {LOREM}", fontsize=10)
    data = doc.tobytes()
    doc.close()
    return data


@pytest.fixture
def indexer(tmp_path: Path, text_encoder: TextEncoder) -> Indexer:
    settings = Settings(data_dir=tmp_path / "data", pdf_equation_ocr="off")
    return Indexer(settings, models=Models(settings, text_encoder=text_encoder))


@pytest.mark.model
def test_second_build_of_a_paper_is_linked_not_indexed(indexer: Indexer, tmp_path: Path):
    first = tmp_path / "main.pdf"
    first.write_bytes(_paper(TITLE, "Ada Lovelace and Carl Gauss", LOREM))
    # the conference template's anonymous build: other bytes, same title, no author line
    second = tmp_path / "conference.pdf"
    second.write_bytes(_paper(TITLE.upper(), None, LOREM + " Camera ready.", header="Preprint"))
    a = indexer.ingest_file(first)
    before = indexer.store.open_index(indexer.passage_spec()).ntotal
    b = indexer.ingest_file(second)
    assert (a.status, b.status) == ("added", "added")
    assert a.duplicate_of is None and b.duplicate_of == a.document_id
    assert b.passages == 0 and b.equations == 0
    assert indexer.store.open_index(indexer.passage_spec()).ntotal == before
    with indexer.store.session() as session:
        dup = repo.get_document(session=session, document_id=b.document_id)
        assert dup is not None and dup.duplicate_of == a.document_id and dup.page_count == 1
        original = repo.get_document(session=session, document_id=a.document_id)
        assert original is not None and original.author_list == ["Ada Lovelace", "Carl Gauss"]


@pytest.mark.model
@pytest.mark.parametrize(
    ("title_b", "authors_b"),
    [
        (TITLE, "Grace Hopper and Alan Turing"),  # same title, other people
        ("Heat Kernels and Dense Graphs in Practice", "Ada Lovelace and Carl Gauss"),
        ("Notes", "Ada Lovelace and Carl Gauss"),  # too short a title to tell
    ],
)
def test_other_papers_are_not_duplicates(indexer: Indexer, tmp_path: Path, title_b, authors_b):
    title_a = "Notes" if title_b == "Notes" else TITLE
    (tmp_path / "a.pdf").write_bytes(_paper(title_a, "Ada Lovelace and Carl Gauss", LOREM))
    (tmp_path / "b.pdf").write_bytes(_paper(title_b, authors_b, LOREM + " Other."))
    indexer.ingest_file(tmp_path / "a.pdf")
    b = indexer.ingest_file(tmp_path / "b.pdf")
    assert b.duplicate_of is None and b.passages > 0


def test_same_authors_by_surname_and_unknown_lists():
    assert same_authors(["Ada M. Lovelace", "Carl Gauss"], ["A. Lovelace", "C. F. Gauss"])
    assert same_authors([], ["Ada Lovelace"])  # an anonymous build contradicts nothing
    assert not same_authors(["Ada Lovelace", "Carl Gauss"], ["Grace Hopper", "Alan Turing"])


def _figure(path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=200)
    for i, label in enumerate(["time t", "u(x, t)", "0.5", "1.0", "legend: exact"]):
        page.insert_text((20 + 40 * i, 30 + 30 * i), label, fontsize=9)
    doc.save(path)
    doc.close()


def test_figure_pdfs_of_a_source_folder_are_not_papers(tmp_path: Path):
    folder = tmp_path / "source"
    (folder / "plots").mkdir(parents=True)
    (folder / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\nText.\n\\end{document}\n"
    )
    (folder / "main.pdf").write_bytes(_paper(TITLE, "Ada Lovelace", LOREM))
    (folder / "other.pdf").write_bytes(_paper("A Paper Kept Beside It", "Carl Gauss", LOREM))
    _figure(folder / "plots" / "decay.pdf")  # drawn from a \graphicspath, never named
    files, _ = collect_files([folder])
    assert sorted(p.name for p in files) == ["main.pdf", "main.tex", "other.pdf"]
    # pairs come first: of two builds of one paper, the source + PDF is the one kept
    assert [(a.name, b and b.name) for a, b in pair_sources(files)] == [
        ("main.tex", "main.pdf"),
        ("other.pdf", None),
    ]
    # outside a LaTeX source folder a one-page graphic is taken when given
    _figure(tmp_path / "poster.pdf")
    assert collect_files([tmp_path / "poster.pdf"])[0] == [tmp_path / "poster.pdf"]
