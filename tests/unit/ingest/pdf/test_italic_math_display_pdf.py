"""A display whose letters come from the text italic, read back from pdflatex documents
typeset here (the tests skip without pdflatex or the font package).

Fourier takes its math letters from Utopia Italic and mathptmx from Times Italic, text fonts
both: in ``f_{n}(\\bar{m}) = \\frac{1}{\\bar{m}} y_{n}^{2}(\\bar{m})`` only ``=`` and the
parentheses counted as math, under the 8 % a display needs, and the display was not found.
Italic letters that form no word count as math there, as they do for the lines themselves.
"""

from __future__ import annotations

import pytest

from scipix_search.ingest import find_equation_regions
from tests.factories import math_font_preamble, typeset_article

_FONTS = ("cm", "fourier")


@pytest.mark.parametrize("font", _FONTS)
def test_display_of_text_italic_letters_is_found(
    tmp_path_factory: pytest.TempPathFactory, font: str
) -> None:
    preamble = math_font_preamble(font)
    body = (
        "This leads to\n\\begin{equation*}\nf_{n}(\\bar{m}) = \\frac{1}{\\bar{m}} "
        "y_{n}^{2}(\\bar{m}) .\n\\end{equation*}\n\nThe general spectrum plays a central role "
        "in what follows. "
    )
    tex = typeset_article(tmp_path_factory.mktemp(f"italic-{font}") / "i.tex", body, preamble)
    regions = [r for r in find_equation_regions(tex.with_suffix(".pdf"), render=False) if r.display]
    assert len(regions) == 1, [r.text for r in regions]
    assert "f_{n}" in regions[0].latex.replace(" ", ""), regions[0].latex
