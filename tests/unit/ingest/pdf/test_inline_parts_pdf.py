"""Lines that are pieces of a paragraph's line are no display, read back from pdflatex
documents typeset here in several math fonts (the tests skip without pdflatex).

* The numerator and the denominator of an inline ``\\frac`` are set over and under the
  paragraph's line, in script size; MuPDF gives them lines of their own. Two of them on one
  row (``$\\Lambda = \\frac{M_c}{\\hbar}$ ... $\\frac{M_c}{\\hbar}$``) looked centred, and STIX
  Two's tall line boxes keep them from overlapping the paragraph's line by half their height:
  they were read as a display. TeX sets a display in the text's size.
* A piece of a paragraph's line that starts with math (``r(x) denotes the ...`` after
  ``Here G^{(3)}``) is no ``\\text{...}`` row of a display, though it is set in from both
  margins: its row starts with a word.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions
from tests.factories import math_font_preamble, require_tex_file, typeset, typeset_article

_BODY = (
    "The kernel follows:\n\\begin{equation}\nK(x) = \\int_{0}^{x} G(y) \\, dy\n"
    "\\end{equation}\n\n"
    "Here $G^{(3)}_{s}(x)$ is the corresponding kernel. Note that $\\frac{b^{2} - 1}{s}$ and "
    "$\\frac{1}{R_{\\parallel}}$ are not independent.\n\n"
    "Here $\\Lambda = \\frac{M_c}{\\hbar}$ is the leading propagator. For the potential we "
    "take $\\frac{M_c}{\\hbar}$.\n\n"
)

_FONTS = ("cm", "stix2", "newtx")


@pytest.mark.parametrize("font", _FONTS)
def test_inline_fraction_parts_are_no_display(
    tmp_path_factory: pytest.TempPathFactory, font: str
) -> None:
    preamble = math_font_preamble(font)
    tex = typeset_article(tmp_path_factory.mktemp(f"parts-{font}") / "parts.tex", _BODY, preamble)
    regions = [r for r in find_equation_regions(tex.with_suffix(".pdf"), render=False) if r.display]
    assert [r.number for r in regions] == ["1"], [r.text for r in regions]


@pytest.mark.parametrize("font", ["cm", "mlmodern"])
def test_small_print_with_an_inline_integral_is_prose(tmp_path: Path, font: str) -> None:
    """TeX takes the extension font at 10 pt in any size, and its glyphs hang from their
    baseline: in a small-print paragraph set in from both margins (amsart's abstract) an
    inline ``\\int`` made the line's size and baseline its own, every word looked like a script
    of it, and the line read as a centred display."""
    if font != "cm":
        require_tex_file(f"{font}.sty")
    tex = typeset(
        tmp_path / "abstract.tex",
        "\\documentclass{amsart}\n"
        + ("" if font == "cm" else f"\\usepackage{{{font}}}\n")
        + "\\begin{document}\n\\title{On the flux}\n\\begin{abstract}\n"
        "We assume throughout that $\\Phi_{E}(z, \\bar{z})$ is given. One checks that "
        "$\\beta(\\lambda)$ holds whenever the solution is effective. In this case we find "
        "$D \\int \\mathrm{d}x \\, a = 0$, which is consistent with the physical "
        "transformation.\n\\end{abstract}\n\\maketitle\n"
        "The fields are conserved, as the introduction states for every mode of the spectrum "
        "and every boundary term of the model.\n\\end{document}\n",
    )
    regions = [r for r in find_equation_regions(tex.with_suffix(".pdf"), render=False) if r.display]
    assert regions == [], [r.text for r in regions]
