"""Tall parentheses built from pieces in newtxmath's extension fonts, typeset here with
pdflatex (skips without it or without newpx / newtx): their pieces are named
``parenlefttpA``, ``parenleftexA``, ``parenleftbtA`` (a variant letter after CMEX's piece
names) and drawn at other heights than CMEX's metrics say, so a four-row column in
``\\left( ... \\right)`` was no delimited group: its first and last rows were read apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.math import as_tokens
from tests.factories import require_tex_file, typeset_numbered

_COLUMN = "v_{2}(s) = \\left( \\begin{array}{c} 0 \\\\ p(s) \\\\ q(s) \\\\ 0 \\end{array} \\right)"


@pytest.mark.parametrize(
    ("package", "preamble"),
    [
        ("newpxmath.sty", "\\usepackage[T1]{fontenc}\n\\usepackage{newpxtext,newpxmath}\n"),
        ("newtxmath.sty", "\\usepackage[T1]{fontenc}\n\\usepackage{newtxtext,newtxmath}\n"),
    ],
)
def test_a_parenthesis_of_pieces_encloses_its_column(
    tmp_path: Path, package: str, preamble: str
) -> None:
    require_tex_file(package)
    shown = typeset_numbered(tmp_path / "doc.tex", [_COLUMN], preamble)
    latex = shown.read(1)
    assert as_tokens(latex)[:7] == ["v", "_", "{", "2", "}", "(", "s"]
    assert "\\begin{pmatrix}" in latex
    rows = latex.split("\\begin{pmatrix}")[1].split("\\end{pmatrix}")[0]
    assert [as_tokens(row) for row in rows.split("\\\\")] == [
        ["0"],
        ["p", "(", "s", ")"],
        ["q", "(", "s", ")"],
        ["0"],
    ]
