"""``\\hbar`` against ``\\bar{h}``, read back from pdflatex documents typeset here in several
math fonts (the tests skip without pdflatex).

Without amssymb, LaTeX defines ``\\hbar`` as ``{\\mathchar'26\\mkern-9mu h}``: the roman
macron on the ``h``'s own baseline, kerned back over its ascender. ``\\bar{h}`` raises the same
macron by the ``h``'s height less the x-height, so only its height tells the two apart (both
were read ``\\bar{h}``). Fourier prints ``\\hbar`` as a glyph of its own (``ħ``, U+0127).
"""

from __future__ import annotations

import pytest

from scipix_search.math import as_tokens
from tests.factories import typeset_numbered

_DISPLAYS = (
    r"E = \hbar \omega + \bar{h} k + \bar{a}",
    r"H_{\hbar} = -\frac{\hbar^{2}}{2 m} \nabla^{2} + V",
    r"\bar{h}_{i} = \hbar c",
)

_FONTS = {
    "cm": "",
    "lmodern": "\\usepackage{lmodern}\n",
    "mathptmx": "\\usepackage{mathptmx}\n",
    "mathpazo": "\\usepackage{mathpazo}\n",
    "fourier": "\\usepackage{fourier}\n",
    "amssymb": "\\usepackage{amssymb}\n",
}


@pytest.mark.parametrize("font", list(_FONTS))
def test_hbar_and_bar_h_read_as_typeset(
    tmp_path_factory: pytest.TempPathFactory, font: str
) -> None:
    doc = typeset_numbered(
        tmp_path_factory.mktemp(f"hbar-{font}") / "hbar.tex", _DISPLAYS, _FONTS[font]
    )
    for source, read in doc.pairs():
        assert tuple(as_tokens(read)) == tuple(as_tokens(source)), read
