"""Computer Modern's upright capital Omega in the text layer, typeset here with pdflatex: the
ToUnicode map of OT1 Computer Modern gives ``\\Omega`` as U+2126 OHM SIGN, which had no
LaTeX, so the reading kept the raw character (``Ω_{q-1}``) and never matched ``\\Omega``."""

from __future__ import annotations

from pathlib import Path

from scipix_search.math import as_tokens
from tests.factories import typeset_numbered


def test_the_ohm_sign_is_omega(tmp_path: Path) -> None:
    shown = typeset_numbered(tmp_path / "doc.tex", ["\\Omega_{q-1} = \\bar{\\Omega}_{q-1}"])
    read = shown.read(1)
    assert "\u2126" not in read
    assert as_tokens(read) == as_tokens(shown.source[0]), read
