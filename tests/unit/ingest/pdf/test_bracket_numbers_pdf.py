"""Equation numbers in square brackets (``[3]``, as some journals print them), at either
margin, stay attached to their displays as parenthesised ones do (typeset here with
pdflatex; skips without it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.math import as_tokens
from tests.factories import require_tex_file, typeset_numbered

_DISPLAYS = [
    "f ( x ) = a x ^ { 2 } + b x + c",
    "E = m c ^ { 2 } , \\quad p = m v",
    "u ( k , r ) = \\sum _ { n } c _ { n } r ^ { n }",
    "\\nabla \\cdot E = \\frac { \\rho } { \\epsilon _ { 0 } }",
]
# amsmath's \tagform@ prints the tag; brackets instead of parentheses, nothing else changed
_BRACKETS = (
    "\\makeatletter\\def\\tagform@#1{\\maketag@@@{[\\ignorespaces#1\\unskip\\@@italiccorr]}}"
    "\\makeatother\n"
)


@pytest.mark.parametrize(
    ("options", "fonts"),
    [("11pt", ""), ("11pt,leqno", ""), ("10pt,leqno,twocolumn", "\\usepackage{mathptmx}\n")],
)
def test_bracketed_numbers_are_read(tmp_path: Path, options: str, fonts: str) -> None:
    if fonts:
        require_tex_file("mathptmx.sty")
    shown = typeset_numbered(tmp_path / "doc.tex", _DISPLAYS, fonts + _BRACKETS, options=options)
    numbers = sorted(r.number for r in shown.regions if r.number)
    assert numbers == [str(n) for n in range(1, len(_DISPLAYS) + 1)], shown.regions
    exact = [as_tokens(r) == as_tokens(s) for s, r in shown.pairs()]
    assert sum(exact) >= 0.75 * len(_DISPLAYS), shown.pairs()
