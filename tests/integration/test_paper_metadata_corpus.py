"""Paper metadata on the real papers (../shared/data/papers): rates over the corpus.

Truth is the LaTeX source: its ``\\title`` for titles, and for authors the words of its
front matter (everything before the first ``\\section``, commands and accents dropped), in
which every stored author's surname must appear. Each paper is read three ways: its PDF
alone, its source alone, and the two merged as ``ingest`` pairs a source folder.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from scipix_search.eval import paper_folders
from scipix_search.ingest import (
    ParsedDocument,
    merge_source_and_pdf,
    parse_latex_source,
    parse_pdf,
    sha256_bytes,
    surname_key,
    title_key,
)

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@dataclass
class Read:
    name: str
    pdf_path: Path
    pdf: ParsedDocument
    tex: ParsedDocument
    pair: ParsedDocument
    front: set[str]


def _similar(a: str | None, b: str | None) -> float:
    return difflib.SequenceMatcher(None, (a or "").lower(), (b or "").lower()).ratio()


def _front_words(tex: Path) -> set[str]:
    """The words before the first \\section of the main file and the files it inputs there."""
    text = tex.read_text(encoding="utf-8", errors="replace")
    end = text.find("\\section")
    front = text[: end if end > 0 else 20000]
    for part in re.findall(r"\\input\{([^}]+)\}", front):
        path = tex.parent / (part if part.endswith(".tex") else part + ".tex")
        if path.is_file():
            front += path.read_text(encoding="utf-8", errors="replace")
    front = re.sub(r"\\[`'^\"~=.]\{?([A-Za-z])\}?", r"\1", front)  # \"a -> a
    front = re.sub(r"\\[A-Za-z]+|[{}$^_]", " ", front)
    return set(title_key(front).split())


def _words(text: str | None) -> str:
    """Title key without bare numbers (a review copy numbers its lines in the margin)."""
    return " ".join(w for w in title_key(text).split() if not w.isdigit())


def _authors_right(doc: ParsedDocument, front: set[str]) -> bool:
    return bool(doc.authors) and all(surname_key(n) in front for n in doc.authors)


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> list[Read]:
    out = []
    for paper in paper_folders(shared_dir / "papers"):
        data = paper.pdf.read_bytes()
        pdf = parse_pdf(data, paper.pdf.name, sha256_bytes(data), max_pages=500)
        tex = parse_latex_source(paper.tex)
        pair = merge_source_and_pdf(tex, pdf, name=paper.pdf.name, sha256="0" * 64)
        out.append(Read(paper.name, paper.pdf, pdf, tex, pair, _front_words(paper.tex)))
    assert len(out) >= 10
    return out


def test_titles_match_the_source_title_for_every_paper(corpus):
    titled = [r for r in corpus if r.tex.title]
    assert len(titled) >= 0.8 * len(corpus)
    wrong = [
        (r.name, way, doc.title, r.tex.title)
        for r in titled
        for way, doc in (("pdf alone", r.pdf), ("source + pdf", r.pair))
        if _similar(doc.title, r.tex.title) < 0.95
    ]
    assert not wrong, wrong


def test_titles_are_printed_on_page_one_never_a_file_name(corpus):
    import pymupdf

    for r in corpus:
        with pymupdf.open(r.pdf_path) as doc:
            page = _words(doc[0].get_text("text"))
        for doc in (r.pdf, r.pair):
            assert doc.title, r.name
            assert title_key(doc.title) != title_key(r.pdf_path.stem), r.name
        # the PDF's own title is read off its first page, not metadata a template left
        assert _words(r.pdf.title) in page, (r.name, r.pdf.title)


def test_authors_found_for_at_least_90_percent_of_papers(corpus):
    pair = sum(_authors_right(r.pair, r.front) for r in corpus) / len(corpus)
    pdf = sum(_authors_right(r.pdf, r.front) for r in corpus) / len(corpus)
    assert pair >= 0.9, pair
    assert pdf >= 0.8, pdf
