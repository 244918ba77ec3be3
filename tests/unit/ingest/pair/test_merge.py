"""A LaTeX source and its PDF as one document; folder collection skips what serves a source."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from scipix_search.ingest import collect_files
from scipix_search.ingest._types import (
    ParsedDocument,
    ParsedEquation,
    ParsedPage,
    ParsedPassage,
)
from scipix_search.ingest.pair._merge import (
    figure_files,
    is_standalone_figure,
    merge_source_and_pdf,
)


def _pdf(path: Path, text: str) -> None:
    document = pymupdf.open()
    document.new_page().insert_text((72, 72), text)
    document.save(path)


def test_merge_places_source_equations_on_pdf_pages() -> None:
    source = ParsedDocument(
        "main.tex",
        "s" * 64,
        "tex",
        "Exact Title",
        passages=[ParsedPassage("source prose", None, None, 0)],
        equations=[
            ParsedEquation(r"\int_0^1 f(x)\,dx = F(1) - F(0)", None, None, True, "tex", 0, "1"),
            ParsedEquation("x", None, None, False, "tex", 1),
            ParsedEquation(r"\alpha^{2}+\beta^{2}=\gamma^{2}", None, None, True, "tex", 2),
        ],
    )
    pdf = ParsedDocument(
        "main.pdf",
        "p" * 64,
        "pdf",
        "Glyph title",
        pages=[ParsedPage(1, 612, 792), ParsedPage(2, 612, 792)],
        passages=[ParsedPassage("pdf prose", 1, (72, 72, 500, 100), 0)],
        equations=[
            ParsedEquation("f(x)dx=F(1)-F(0)", 1, (100, 200, 400, 230), True, "pdf", 0, "1"),
            ParsedEquation("Figure label y", 1, (100, 300, 200, 310), True, "pdf", 1),
            ParsedEquation(r"\alpha^2+\beta^2=\gamma^2", 2, (90, 90, 300, 120), True, "pdf", 2),
        ],
    )
    merged = merge_source_and_pdf(source, pdf, name="main.pdf + main.tex", sha256="m" * 64)
    assert merged.kind == "pdf" and merged.title == "Exact Title"
    assert merged.pages == pdf.pages and [p.text for p in merged.passages] == ["pdf prose"]
    # The source's exact LaTeX, at the PDF's places; the unclaimed figure label is gone.
    assert [(e.latex, e.page, e.bbox, e.origin) for e in merged.equations] == [
        (r"\int_0^1 f(x)\,dx = F(1) - F(0)", 1, (100, 200, 400, 230), "tex"),
        ("x", None, None, "tex"),
        (r"\alpha^{2}+\beta^{2}=\gamma^{2}", 2, (90, 90, 300, 120), "tex"),
    ]
    assert [e.order for e in merged.equations] == [0, 1, 2]


def test_folder_collection_skips_figures_and_parts(tmp_path: Path) -> None:
    paper = tmp_path / "paper"
    (paper / "figs").mkdir(parents=True)
    (paper / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\input{intro}\n"
        "\\includegraphics[width=.5\\textwidth]{figs/plot}\n\\includegraphics{scheme.pdf}\n"
        "\\includegraphics{field}\n\\end{document}\n"
    )
    (paper / "intro.tex").write_text("Some words, $x$.\n")
    (paper / "tikz.tex").write_text("\\documentclass[border=5pt]{standalone}\n\\begin{document}\n")
    for name in ("main.pdf", "figs/plot.pdf", "scheme.pdf", "field-eps-converted-to.pdf"):
        _pdf(paper / name, name)
    # a letter is prose (a one-word page in a source folder would be taken for a figure)
    _pdf(paper / "cover_letter.pdf", "Dear editor, we submit our paper for your journal.\n" * 4)
    (paper / "SOURCES.tsv").write_text("name\trepo\npaper\tgithub.com/x/y\n")
    files, missing = collect_files([tmp_path])
    assert not missing
    assert [f.relative_to(paper).as_posix() for f in files] == [
        "cover_letter.pdf",
        "main.pdf",
        "main.tex",
    ]
    assert is_standalone_figure(paper / "tikz.tex") and not is_standalone_figure(paper / "main.tex")
    assert {f.name for f in figure_files(paper / "main.tex")} == {
        "plot.pdf",
        "scheme.pdf",
        "field-eps-converted-to.pdf",
    }
    # A file named explicitly is always taken.
    assert collect_files([paper / "scheme.pdf"])[0] == [paper / "scheme.pdf"]
    assert collect_files([paper / "SOURCES.tsv"])[0] == [paper / "SOURCES.tsv"]
