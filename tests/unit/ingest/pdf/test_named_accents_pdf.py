"""Accents and symbols that a math font's program names but its ToUnicode map leaves out.

newtx and newpx print ``\\dot``, ``\\ddot`` and ``\\vec`` from their symbol fonts (txsys,
pxsys) as glyphs with no Unicode value named ``dotacc``, ``ddotacc`` and ``vec``; kpfonts
names its ``\\neq`` ``nequal``. Read by name, the glyph reading is complete and needs no OCR.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest.pdf._holes import has_holes
from scipix_search.ingest.pdf._locate import find_equation_regions
from tests.factories import math_font_preamble, require_tex_file, typeset_article

BODY = "\\begin{equation}\n \\dot{\\rho} = \\vec{\\sigma}\\cdot\\vec{\\nabla} \\ddot{x} + a \\neq b\n\\end{equation}\n"


@pytest.mark.parametrize("font", ["newtx", "kpfonts"])
def test_named_accents_are_read_from_the_glyphs(tmp_path: Path, font: str) -> None:
    if font == "kpfonts":
        require_tex_file("kpfonts.sty")
        preamble = "\\usepackage{kpfonts}\n"
    else:
        preamble = math_font_preamble(font)
    tex = typeset_article(tmp_path / "accents.tex", BODY, preamble)
    (region,) = find_equation_regions(tex.with_suffix(".pdf"), dpi=72)
    assert region.text_complete and not has_holes(region.latex)
    for part in (r"\dot{\rho}", r"\vec{\sigma}", r"\vec{\nabla}", r"\ddot{x}", r"\neq"):
        assert part in region.latex
