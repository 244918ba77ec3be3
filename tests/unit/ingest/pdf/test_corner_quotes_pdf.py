"""Quine corners and bullets typeset here with pdflatex (skips without it): the text layer
gives the right corners ``⌝`` U+231D and ``⌟`` U+231F (and their left twins) and a bullet
as U+2022 / U+2219, which had no LaTeX although ``⌜`` did; each such glyph was a hole, so
every row with one went to the formula OCR, which reads a corner as a script (``^{\\top}``)
and lost rows the glyphs read right."""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest.pdf._glyphs import MATH_SYMBOL_CHARS, char_mapped
from scipix_search.math import as_tokens
from tests.factories import math_font_preamble, typeset_numbered


def test_corners_and_bullets_have_latex() -> None:
    assert all(char_mapped(c) for c in "⌜⌝⌞⌟•∙□")
    # a bullet opens list items and a square closes proofs: no sign of math by themselves
    assert "•" not in MATH_SYMBOL_CHARS and "□" not in MATH_SYMBOL_CHARS


@pytest.mark.parametrize("font", ["cm", "newtx"])
def test_corners_and_bullets_are_read_from_the_glyphs(tmp_path: Path, font: str) -> None:
    shown = typeset_numbered(
        tmp_path / "doc.tex",
        [
            "\\ulcorner \\Gamma \\urcorner : A \\rightarrow B",
            "\\llcorner x \\lrcorner = f^{\\bullet} + y",
        ],
        "\\usepackage{amssymb}\n" + math_font_preamble(font),
    )
    for n, (src, read) in enumerate(shown.pairs(), start=1):
        assert as_tokens(read) == as_tokens(src), (n, read)
    assert all(r.text_complete for r in shown.regions)
