"""Displays set flush left (``fleqn``) and numbers on the left (``leqno``), typeset here with
pdflatex (the tests skip without it).

With ``fleqn`` TeX starts every display at ``\\mathindent`` from the left margin instead of
centring it; the numbered ones were found by their numbers, the unnumbered ones looked
off-centre and were dropped. With ``leqno`` the number stands at the left margin, where
MuPDF can join it to the start of its row.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.ingest.pdf._blocks import display_blocks, flush_left_indent
from scipix_search.ingest.pdf._glyphs import Drawings, median
from scipix_search.ingest.pdf._lines import page_lines
from scipix_search.math import as_tokens
from tests.factories import typeset

_PROSE = (
    "In the limit of a weak coupling the two sectors decouple, and the result of the "
    "previous section carries over to the present case without change. "
)
# numbered and unnumbered displays of different widths; the unnumbered ones are followed by
# the paragraph going on from the margin (``with ... fixed.``)
_BODY = (
    f"{_PROSE}We obtain\n\\begin{{equation}}\n"
    "( S , S ) _ { \\Delta } = i k [ \\Delta , S ] + \\sum _ { n } a _ { n } b _ { n } ,\n"
    "\\end{equation}\n"
    f"{_PROSE}This leads to\n\\[\n\\omega _ {{ q - 1 }} = \\bar {{ \\omega }} _ {{ q - 1 }} ,\n\\]\n"
    f"with $x$ fixed. {_PROSE}Hence\n\\begin{{equation}}\n"
    "\\alpha _ { i } = [ A _ { i 0 } , A _ { i 1 } , \\ldots , A _ { i r } ] .\n\\end{equation}\n"
    f"{_PROSE}and\n\\begin{{align*}}\n"
    "d s ^ { 2 } & = l ^ { 2 } ( - d t ^ { 2 } + d z ^ { 2 } ) , \\\\\n"
    "\\mathcal { M } _ { 0 } & = 0 ,\n\\end{align*}\n"
    f"with $y$ fixed. {_PROSE}Finally\n\\begin{{equation}}\n"
    "G = \\frac { 1 } { \\sqrt { \\xi } } \\partial ^ { M } A _ { M } \\tag{R1}\n"
    "\\end{equation}\n"
    f"{_PROSE}\n"
)


def _typeset(tmp_path: Path, options: str, preamble: str = "") -> Path:
    return typeset(
        tmp_path / "fleqn.tex",
        f"\\documentclass[11pt,{options}]{{article}}\n\\usepackage{{amsmath}}\n{preamble}"
        f"\\pagestyle{{empty}}\n\\begin{{document}}\n{_BODY}\\end{{document}}\n",
    )


def _rows(tex: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    source = [tuple(as_tokens(e.latex)) for e in read_tex_equations(tex) if e.display]
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    found = [
        tuple(as_tokens(row))
        for r in regions
        for row in (r.row_latex if len(r.row_latex) > 1 else [r.latex])
    ]
    return source, found


def test_unnumbered_displays_set_flush_left_are_found(tmp_path: Path) -> None:
    source, found = _rows(_typeset(tmp_path, "fleqn"))
    assert len(source) == 6
    assert found == source


def test_displays_flush_against_the_margin_leave_the_paragraph_out(tmp_path: Path) -> None:
    # \mathindent zero: the displays start where the paragraph's lines do
    tex = _typeset(tmp_path, "fleqn", "\\AtBeginDocument{\\setlength{\\mathindent}{0pt}}\n")
    source, found = _rows(tex)
    assert found == source  # no ``with x fixed.`` region, no display lost


def test_numbers_on_the_left_stay_with_their_displays(tmp_path: Path) -> None:
    tex = _typeset(tmp_path, "fleqn,leqno")
    source, found = _rows(tex)
    assert found == source
    numbers = [r.number for r in find_equation_regions(tex.with_suffix(".pdf"), render=False)]
    assert numbers == ["1", None, "2", None, "R1"]


def test_centred_displays_set_no_indent(tmp_path: Path) -> None:
    tex = _typeset(tmp_path, "leqno")
    with pymupdf.open(tex.with_suffix(".pdf")) as doc:
        page = doc[0]
        lines = page_lines(page)
        size = median([ln.size for ln in lines if ln.is_prose])
        blocks = display_blocks(sorted(lines, key=lambda ln: ln.bbox[1]), size, Drawings(page))
    assert sum(b.numbered for b in blocks) >= 2
    assert flush_left_indent(blocks, size) is None
    source, found = _rows(tex)
    assert found == source


def test_rows_set_apart_against_the_margin_join_at_their_relations(tmp_path: Path) -> None:
    """An ``align*`` against the margin (``\\mathindent`` 0) whose rows stand further apart
    than lines do (``\\\\[8pt]``): no row is centred and the display starts where the
    paragraph does, so only the rows' leftmost relations, set at one place, join them."""
    rows = (
        f"{_PROSE}We obtain\n\\begin{{align*}}\n"
        "\\Phi _ { 0 } & = \\sum _ { n } a _ { n } b _ { n } + \\omega _ { q - 1 } , \\\\[8pt]\n"
        "\\Psi & = i k [ \\Delta , S ] ,\n\\end{align*}\n"
        f"with $z$ fixed. {_PROSE}\n"
    )
    tex = typeset(
        tmp_path / "rows.tex",
        "\\documentclass[11pt,fleqn]{article}\n\\usepackage{amsmath}\n"
        "\\AtBeginDocument{\\setlength{\\mathindent}{0pt}}\n"
        f"\\pagestyle{{empty}}\n\\begin{{document}}\n{_BODY}{rows}\\end{{document}}\n",
    )
    source, found = _rows(tex)
    assert found == source
    last = find_equation_regions(tex.with_suffix(".pdf"), render=False)[-1]
    assert len(last.row_latex) == 2
