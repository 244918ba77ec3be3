"""benchmarks/scans.py over other corpora: a retypeset folder keeps the real papers' halves,
the typeset corpus' documents load with truth regions the source confirms, and the CER does
not count a font's text-layer encoding as OCR errors."""

from __future__ import annotations

import argparse
from pathlib import Path

import pymupdf
import pytest

from benchmarks.scans import (
    add_corpus_args,
    half_folders,
    levenshtein_chars,
    load_corpus,
    sorted_words,
    typeset_rows,
)
from scipix_search.eval import PaperFolder
from scipix_search.ingest import read_tex_equations
from scipix_search.math import token_similarity
from tests.factories import requires_pdflatex


def _folders(names: list[str]) -> list[PaperFolder]:
    return [PaperFolder(n, Path(n), Path(n), Path(n) / "main.pdf") for n in names]


def test_a_paper_keeps_its_half_when_others_did_not_compile() -> None:
    shared = ["a", "b", "c", "d", "e", "f"]
    dev = [p.name for p in half_folders(_folders(shared), "dev", shared)]
    test = [p.name for p in half_folders(_folders(shared), "test", shared)]
    assert (dev, test) == (["a", "c", "e"], ["b", "d", "f"])
    # "b" and "c" did not compile in the setup: the rest keep their halves
    some = _folders(["f", "a", "d", "e"])
    assert [p.name for p in half_folders(some, "dev", shared)] == ["a", "e"]
    assert [p.name for p in half_folders(some, "test", shared)] == ["d", "f"]


def test_other_folders_split_by_their_own_positions() -> None:
    names = ["x", "a", "y"]  # "x" and "y" are no shared paper's names
    shared = ["a", "b"]
    assert [p.name for p in half_folders(_folders(names), "dev", shared)] == ["a", "y"]
    assert [p.name for p in half_folders(_folders(names), "test", shared)] == ["x"]


def test_cer_reads_a_text_layers_math_italic_and_ligatures_as_the_page_shows_them() -> None:
    # newtxmath's text layer spells x as U+1D465 and a ligature as U+FB01; an OCR reads x, fi
    layer = sorted_words(["\U0001d465 = 1 on the \ufb01rst page"])
    read = sorted_words(["first page on the", "x = 1"])
    assert levenshtein_chars(read, layer) == 0


@pytest.mark.slow
@pytest.mark.shared
@requires_pdflatex()
def test_typeset_documents_load_with_confirmed_truth(tmp_path: Path, shared_dir: Path) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--half", default="test")
    parser.add_argument("--pages", type=int, default=1)
    parser.add_argument("--skip", type=int, default=0)
    add_corpus_args(parser)
    args = parser.parse_args(
        ["--typeset", "--classes", "article", "--fonts", "cm", "--docs-per-cell", "1"]
        + ["--out", str(tmp_path), "--data", str(shared_dir), "--pages", "2"]
    )
    corpus = load_corpus(args)
    assert corpus.base == []  # no paper@1 store: the documents share their formulas
    assert "detects" in corpus.note
    [paper] = corpus.papers
    assert paper.groups == {"class": "article", "font": "cm"}
    assert len(paper.pages) == 2
    with pymupdf.open(paper.folder.pdf) as pdf:
        for page in paper.pages:
            assert paper.truth[page]
            width, height = pdf[page].rect.width, pdf[page].rect.height
            for x0, y0, x1, y1 in paper.truth[page]:
                assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
    # the LaTeX truth is the document's own: every row the project's reader finds is in it
    # (alignment marks aside: the similarity leaves them out)
    rows = typeset_rows(paper.folder.folder)
    assert rows == paper.rows
    display = [e.latex for e in read_tex_equations(paper.folder.tex) if e.display]
    assert display
    assert all(max(token_similarity(d, r) for r in rows) == 1.0 for d in display)
