"""Sans math setups (sfmath, sansmath) set math letters in a sans italic whose name says
nothing of it (Computer Modern's ``CMSSI``): the font program calls it italic, so its letters
are plain variables, where an upright sans letter is ``\\mathsf`` (typeset here with pdflatex;
skips without it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.math import as_tokens
from tests.factories import require_tex_file, typeset_numbered

_DISPLAYS = [
    "f ( x ) = a x ^ { 2 } + b x + c",
    "E = m c ^ { 2 } , \\quad p = m v",
    "\\Phi _ { E } ( z , w ) = \\frac { i } { \\pi } \\log | f | ,",
    "G ^ { A } = \\partial ^ { M } A _ { M } ^ { A } - k",
    "u ( k , r ) = \\sum _ { n } c _ { n } r ^ { n }",
]


@pytest.mark.parametrize("package", ["sfmath", "sansmath"])
def test_sans_italic_letters_are_plain_variables(tmp_path: Path, package: str) -> None:
    require_tex_file(f"{package}.sty")
    preamble = f"\\renewcommand{{\\familydefault}}{{\\sfdefault}}\n\\usepackage{{{package}}}\n"
    if package == "sansmath":
        preamble += "\\sansmath\n"
    shown = typeset_numbered(tmp_path / "doc.tex", _DISPLAYS, preamble)
    read = [r for _s, r in shown.pairs()]
    assert sum("\\mathsf" in r for r in read) == 0, read
    exact = [as_tokens(r) == as_tokens(s) for s, r in shown.pairs()]
    assert sum(exact) >= 0.6 * len(_DISPLAYS), shown.pairs()
