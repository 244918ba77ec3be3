"""Arrays set with no delimiters around them (a commutative diagram, a table of values), read
back from pdflatex documents typeset here in several math fonts (the tests skip without
pdflatex).

TeX sets an array's cells centred in columns ``2\\arraycolsep`` apart, its rows on baselines a
``\\baselineskip`` apart. Without delimiters around it nothing made it a matrix: its rows were
read as the rows of a ``gather`` and its columns run together (``EG \\tilde{\\rightarrow}^{f}
B\\hat{G} \\\\ \\searrow \\swarrow``). Newtx's and Libertine's math italic report a box half an
em tall, Fourier's symbols none under the baseline: the rows of such fonts looked further
apart than TeX set them, and the last row fell out of its display (here set 2 pt lower, as
``\\\\[2pt]`` does). Rows that are equations
side by side (an ``aligned`` with two column pairs) are no array.
"""

from __future__ import annotations

import pytest

from scipix_search.math import as_tokens
from tests.factories import math_font_preamble, typeset_numbered

_DISPLAYS = {
    "square": (
        r"\begin{array}{ccc} A & \longrightarrow & B \\ \downarrow & & \downarrow \\ "
        r"C & \longrightarrow & D \end{array}"
    ),
    "triangle": (
        r"\begin{array}{ccccc} X & & \rightarrow & & Y \\ & \searrow & & "
        r"\swarrow & \\[2pt] & & B Z & & \end{array}"
    ),
    "values": r"\begin{matrix} 1 & 0 & x \\ 0 & 1 & y \end{matrix}",
    "pairs": r"\begin{aligned} a & = b, & c & = d \\ e & = f, & g & = h \end{aligned}",
}

_FONTS = ("cm", "newtx", "fourier")


@pytest.fixture(scope="module", params=_FONTS)
def read(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[str, str]]:
    preamble = math_font_preamble(request.param)
    doc = typeset_numbered(
        tmp_path_factory.mktemp(f"bare-{request.param}") / "bare.tex",
        _DISPLAYS.values(),
        preamble,
    )
    return {
        key: (" ".join(as_tokens(source)), " ".join(as_tokens(latex)))
        for key, (source, latex) in zip(_DISPLAYS, doc.pairs(), strict=True)
    }


@pytest.mark.parametrize("key", ["square", "triangle", "values"])
def test_bare_array_reads_as_a_matrix(read: dict[str, tuple[str, str]], key: str) -> None:
    source, latex = read[key]
    assert latex == source


def test_equations_side_by_side_are_no_array(read: dict[str, tuple[str, str]]) -> None:
    _, latex = read["pairs"]
    assert "matrix" not in latex
    for part in ("a = b", "c = d", "e = f", "g = h"):
        assert part in latex, latex
