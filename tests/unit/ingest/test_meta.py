"""Paper metadata from a PDF's first page and from a LaTeX source (committed fixture)."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from scipix_search.ingest import (
    merge_source_and_pdf,
    parse_latex_source,
    parse_pdf,
    sha256_bytes,
    split_names,
    title_key,
)
from tests.factories import LOREM, make_pdf

TITLE = "Spectral Sparsification of Heat Kernels on Weighted Graphs"
AUTHORS = ["Ada M. Lovelace", "Carl Friedrich Gauss", "Sofia van der Berg"]


@pytest.fixture(scope="module")
def fixture_pdf(fixtures_dir: Path):
    data = (fixtures_dir / "meta" / "paper.pdf").read_bytes()
    return parse_pdf(data, "paper.pdf", sha256_bytes(data), max_pages=10)


@pytest.fixture(scope="module")
def fixture_tex(fixtures_dir: Path):
    return parse_latex_source(fixtures_dir / "meta" / "paper.tex")


def test_pdf_meta_from_first_page_typography(fixture_pdf):
    assert fixture_pdf.title == TITLE  # two lines joined, the \thanks mark dropped
    assert fixture_pdf.authors == AUTHORS  # affiliation marks and lines left out
    assert fixture_pdf.arxiv_id == "2103.04567v2"  # the sideways stamp in the margin
    assert fixture_pdf.year == 2021
    assert fixture_pdf.doi == "10.1234/fixture.2021.0042"
    assert fixture_pdf.abstract.startswith("We bound the spectral error")
    assert "DOI" not in fixture_pdf.abstract and "Introduction" not in fixture_pdf.abstract


def test_tex_meta_from_title_author_date_abstract(fixture_tex):
    assert fixture_tex.title == TITLE  # \papertitle expanded, \thanks dropped
    assert fixture_tex.authors == AUTHORS  # \and, $^{1}$ marks and \\ affiliation lines
    assert fixture_tex.year == 2021  # from \date{March 2021}
    assert fixture_tex.abstract.startswith("We bound the spectral error")
    assert fixture_tex.doi == "10.1234/fixture.2021.0042"


@pytest.mark.parametrize(
    ("front", "year"),
    [
        (r"\acmYear{2022}\copyrightyear{2022}\date{\today}", 2022),  # acmart; \today is no year
        (r"\pubyear{2019}", 2019),  # mnras
        (r"\date{March 2021}\copyrightyear{2020}", 2021),  # the printed date comes first
        (r"\date{\today}", None),
    ],
)
def test_tex_year_from_a_class_year_command(tmp_path: Path, front: str, year: int | None) -> None:
    # the bibliography's years are the cited papers', never this one's
    tex = (
        r"\documentclass{article}" + front + r"\title{On Heat}\begin{document}\maketitle"
        r"\section{Intro} Heat flows \cite{a}."
        r"\begin{thebibliography}{1}\bibitem{a} A. Author, \emph{Old}, 1999, \year{1999}"
        r"\end{thebibliography}\end{document}"
    )
    (tmp_path / "main.tex").write_text(tex)
    assert parse_latex_source(tmp_path / "main.tex").year == year


def test_pair_takes_source_words_and_the_pdf_stamp(fixture_pdf, fixture_tex):
    merged = merge_source_and_pdf(fixture_tex, fixture_pdf, name="paper.pdf", sha256="0" * 64)
    assert (merged.title, merged.authors) == (TITLE, AUTHORS)
    assert merged.arxiv_id == "2103.04567v2" and merged.year == 2021


def _with_metadata(title: str, printed: str) -> bytes:
    data = make_pdf([[LOREM]], title=printed)
    doc = pymupdf.open(stream=data, filetype="pdf")
    doc.set_metadata({"title": title, "author": "Some One"})
    out = doc.tobytes()
    doc.close()
    return out


@pytest.mark.parametrize(
    "metadata",
    ["A template for the arxiv style", "Microsoft Word - draft7.docx", "main.dvi", "Title"],
)
def test_pdf_metadata_title_not_printed_on_page_one_is_ignored(metadata):
    data = _with_metadata(metadata, "Local Rules for Sparse Heat Flow")
    doc = parse_pdf(data, "main.pdf", sha256_bytes(data), max_pages=10)
    assert doc.title == "Local Rules for Sparse Heat Flow"


def test_pdf_metadata_title_printed_on_page_one_is_used():
    # the metadata is exact text; the page's line may break or hyphenate it
    data = _with_metadata("Local Rules: for Sparse Heat Flow", "Local Rules for Sparse Heat Flow")
    doc = parse_pdf(data, "main.pdf", sha256_bytes(data), max_pages=10)
    assert doc.title == "Local Rules: for Sparse Heat Flow"


def test_plain_page_without_larger_text_has_no_title():
    data = make_pdf([[LOREM]], title=None)
    assert parse_pdf(data, "x.pdf", sha256_bytes(data), max_pages=10).title is None


@pytest.mark.parametrize(
    ("line", "names"),
    [
        (
            "Arjun Sharma∗, Mohit Sharma∗ and Kris M. Kitani",
            ["Arjun Sharma", "Mohit Sharma", "Kris M. Kitani"],
        ),
        ("ANDRÁS KOVÁCS, Eötvös Loránd University, Hungary", ["András Kovács"]),
        ("Department of Electrical and Systems Engineering", []),
        ("Pittsburgh, PA 15213, USA", []),
        (
            "Arnaud de Mattia, Jaime E. Forero-Romero",
            ["Arnaud de Mattia", "Jaime E. Forero-Romero"],
        ),
        ("October 31, 2019", []),
        # TeX's accents as separate glyphs, over a dotless i too
        ("Kwame Mart´ınez, Bj¨orn Sato", ["Kwame Martínez", "Björn Sato"]),
    ],
)
def test_split_names_keeps_people_drops_places(line, names):
    assert split_names(line) == names


def test_title_key_ignores_case_accents_and_punctuation():
    assert title_key("Mie-Grüneisen  EQUATION of State") == title_key(
        "Mie–Gruneisen equation of state"
    )
