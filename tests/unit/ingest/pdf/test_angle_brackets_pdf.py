"""Angle brackets typeset here with pdflatex in Fourier (skips without it): its ToUnicode map
gives U+2329 / U+232A (LEFT- / RIGHT-POINTING ANGLE BRACKET, canonically the same characters
as U+3008 / U+3009), which had no LaTeX, so every row with a bracket went to the formula
OCR."""

from __future__ import annotations

from pathlib import Path

from scipix_search.ingest.pdf._glyphs import char_mapped
from scipix_search.math import as_tokens
from tests.factories import math_font_preamble, typeset_numbered


def test_deprecated_angle_brackets_are_langle_and_rangle() -> None:
    assert char_mapped("\u2329") and char_mapped("\u232a")


def test_angle_brackets_in_fourier_are_read_from_the_glyphs(tmp_path: Path) -> None:
    shown = typeset_numbered(
        tmp_path / "doc.tex",
        [
            "\\langle T_{zz} \\rangle = i \\lambda \\cot \\lambda a",
            "\\langle \\eta | \\eta \\rangle = 1",
        ],
        math_font_preamble("fourier"),
    )
    for n, (src, read) in enumerate(shown.pairs(), start=1):
        assert as_tokens(read) == as_tokens(src), (n, read)
    assert all(r.text_complete for r in shown.regions)
