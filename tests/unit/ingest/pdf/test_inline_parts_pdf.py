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

import pytest

from scipix_search.ingest import find_equation_regions
from tests.factories import require_tex_file, typeset_article

_BODY = (
    "The kernel follows:\n\\begin{equation}\nK(x) = \\int_{0}^{x} G(y) \\, dy\n"
    "\\end{equation}\n\n"
    "Here $G^{(3)}_{s}(x)$ is the corresponding kernel. Note that $\\frac{b^{2} - 1}{s}$ and "
    "$\\frac{1}{R_{\\parallel}}$ are not independent.\n\n"
    "Here $\\Lambda = \\frac{M_c}{\\hbar}$ is the leading propagator. For the potential we "
    "take $\\frac{M_c}{\\hbar}$.\n\n"
)

_FONTS = {
    "cm": ("", None),
    "stix2": ("\\usepackage{stix2}\n", "stix2.sty"),
    "newtx": ("\\usepackage{newtxtext,newtxmath}\n", "newtxmath.sty"),
}


@pytest.mark.parametrize("font", list(_FONTS))
def test_inline_fraction_parts_are_no_display(
    tmp_path_factory: pytest.TempPathFactory, font: str
) -> None:
    preamble, package = _FONTS[font]
    if package:
        require_tex_file(package)
    tex = typeset_article(tmp_path_factory.mktemp(f"parts-{font}") / "parts.tex", _BODY, preamble)
    regions = [r for r in find_equation_regions(tex.with_suffix(".pdf"), render=False) if r.display]
    assert [r.number for r in regions] == ["1"], [r.text for r in regions]
