"""The rows of a ``multline``, read back from pdflatex documents typeset here in several math
fonts (the tests skip without pdflatex).

``multline`` sets its first row flush left ``\\multlinegap`` (10 pt) in from the margin and
its last flush right, with the number at the margin: neither row is centred, and the first
starts less far in than a display joined to the paragraph must (a paragraph's line starts at
the margin or ``\\parindent`` in). The first row was left out and the display read from its
second row alone.
"""

from __future__ import annotations

import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.math import as_tokens
from tests.factories import math_font_preamble, typeset_article

_ROWS = (
    r"\Delta = \{ a, b, c, \ldots \}, \quad a \in \mathbf{R}^{r}, \quad a^{2}",
    r"= a \cdot a = 2, \quad \forall a \in \Delta .",
)

_FONTS = ("cm", "fourier", "stix2")


@pytest.mark.parametrize("font", _FONTS)
def test_multline_keeps_its_first_row(tmp_path_factory: pytest.TempPathFactory, font: str) -> None:
    preamble = math_font_preamble(font)
    body = (
        "In terms of these variables the propagator reads\n\\begin{multline}\n"
        + " \\\\\n".join(_ROWS)
        + "\n\\end{multline}\nwith the roots of the algebra as stated. "
    )
    tex = typeset_article(tmp_path_factory.mktemp(f"multline-{font}") / "m.tex", body, preamble)
    (source,) = [e for e in read_tex_equations(tex) if e.display]
    read = {r.number: r.latex for r in find_equation_regions(tex.with_suffix(".pdf"), render=False)}
    latex = " ".join(as_tokens(read.get("1", "")))
    for row in _ROWS:
        assert " ".join(as_tokens(row)).rstrip(" .") in latex, (latex, source.latex)
