"""A minus sign that is the text font's en dash, typeset here with pdflatex and mathastext
(skips without it): mathastext sets math in the text font and takes its ``-`` from the
text font's en dash (U+2013), which read as ``–``, no LaTeX minus."""

from __future__ import annotations

from pathlib import Path

from scipix_search.math import as_tokens
from tests.factories import require_tex_file, typeset_numbered


def test_an_en_dash_in_a_display_is_a_minus(tmp_path: Path) -> None:
    require_tex_file("mathastext.sty")
    preamble = "\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n\\usepackage{mathastext}\n"
    shown = typeset_numbered(
        tmp_path / "doc.tex", ["b_{2} - b_{1} + b_{1} b_{2} = c - 1"], preamble
    )
    read = shown.read(1)
    assert "\u2013" not in read
    assert as_tokens(read) == as_tokens(shown.source[0])
