"""Sub-subscripts in a script-size fraction, typeset here with pdflatex (the tests skip
without it).

In a ``\\textstyle`` fraction the numerator is set in script size, so the subscript of
``\\mathcal{A}_{j_1}`` and the subscript's own subscript are both in TeX's smallest size, and
only their baselines tell them apart; the ``1`` was read on the level of the ``j``
(``\\mathcal{A}_{j1}``). A ``\\left(`` there keeps the text size and must not make the
letters beside it look like scripts (``\\mathcal{A}j_{1}``).
"""

from __future__ import annotations

import pytest

from scipix_search.ingest import find_equation_regions
from scipix_search.math import as_tokens
from tests.factories import typeset

_DISPLAY = (
    r"q = \textstyle \frac{p\left(\mathcal{A}_{j_1,\ldots,j_\ell} | \mathcal{X}_{j_1,\ldots,j_k}"
    r"\right)}{p(\mathcal{A}_{j_1,\ldots,j_k})}"
)


@pytest.fixture(scope="module")
def latex(tmp_path_factory: pytest.TempPathFactory) -> str:
    tex = typeset(
        tmp_path_factory.mktemp("scriptfrac") / "scriptfrac.tex",
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\pagestyle{empty}\n"
        "\\begin{document}\nThe conditional density of the latent blocks given the observed "
        "ones is written as a ratio of two marginals, as follows.\n"
        "\\begin{equation*}\n" + _DISPLAY + "\n\\end{equation*}\n"
        "and the text goes on from here.\n\\end{document}\n",
    )
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    assert len(regions) == 1
    return " ".join(as_tokens(regions[0].latex))


def test_sub_subscripts_keep_their_level(latex: str) -> None:
    assert r"\mathcal { A } _ { j _ { 1 } , \ldots , j _ { \ell } }" in latex
    assert r"\mathcal { X } _ { j _ { 1 } , \ldots , j _ { k } }" in latex
