"""A font whose glyph boxes MuPDF hangs under the baseline, typeset here with pdflatex in
Iwona with its math (skips without it): ``Iwona-Regular`` reports an ascent of 0.04 em and
a descent of 0.6 em, so its ``=`` and parentheses sat lower than the math italic beside
them, and a matrix came apart into rows of pieces (``(1) \\\\ (\\Phi0. \\\\ \\Phi=0...``)."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from scipix_search.ingest.pdf._lines import page_lines
from scipix_search.math import as_tokens
from tests.factories import require_tex_file, typeset_numbered

_MATRIX = (
    "\\Phi = \\left( \\begin{matrix} \\Phi^{(1)} & 0 \\\\ 0 & \\Phi^{(2)} \\end{matrix} \\right) ."
)


def test_a_matrix_in_a_font_with_hanging_boxes_reads_whole(tmp_path: Path) -> None:
    require_tex_file("iwona.sty")
    preamble = "\\usepackage[T1]{fontenc}\n\\usepackage[math]{iwona}\n"
    shown = typeset_numbered(tmp_path / "doc.tex", [_MATRIX], preamble)
    page = pymupdf.open(shown.tex.with_suffix(".pdf"))[0]
    for line in page_lines(page):
        for g in line.glyphs:
            if g.c.isalnum():  # every letter and digit stands on its baseline
                assert g.y0 < g.base - 0.5 * g.size < g.base < g.y1
    read = as_tokens(shown.read(1))
    assert read == as_tokens(shown.source[0]), (shown.read(1), shown.source[0])
