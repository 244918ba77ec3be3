"""Operator names with limits under them (``\\lim_{\\lambda \\to \\infty}``), read back from
pdflatex documents typeset here in several math fonts (the tests skip without pdflatex).

mathptmx takes the upright letters of ``\\lim`` from the Times text roman, so a line that
holds only the name (MuPDF gives it one above its limit's) has nothing that says math: it was
left out of the display, and the limit read as a subscript of nothing. A name's letters share
a font: a ``\\mathcal{G}`` set tight after ``\\lim`` is no letter of it (``limG`` is no
operator, and the limit went to the letters as scripts).
"""

from __future__ import annotations

import pytest

from scipix_search.math import as_tokens
from tests.factories import math_font_preamble, typeset_numbered

_LIMIT = r"\lim_{\lambda \to \infty}"
_DISPLAYS = (
    r"\lim_{\lambda \to \infty} I_{i} / \Lambda = \lim_{\lambda \to \infty} \mathcal{G}_{r}"
    r" / \log (\lambda) < \infty",
    r"\max_{x \in X} F(x) = \min_{y} g(y) + 1",
)

_FONTS = ("cm", "mathptmx", "newtx")


@pytest.mark.parametrize("font", _FONTS)
def test_operator_names_keep_their_limits(
    tmp_path_factory: pytest.TempPathFactory, font: str
) -> None:
    preamble = math_font_preamble(font)
    doc = typeset_numbered(
        tmp_path_factory.mktemp(f"opnames-{font}") / "ops.tex", _DISPLAYS, preamble
    )
    (_, limits), (source, extrema) = doc.pairs()
    # fonts differ in what \mathcal prints (mathptmx's is a script: \mathscr)
    assert " ".join(as_tokens(limits)).count(" ".join(as_tokens(_LIMIT))) == 2, limits
    assert tuple(as_tokens(extrema)) == tuple(as_tokens(source)), extrema
