"""A fraction whose denominator holds a small fraction (``\\frac{|a-b|}{\\frac{1}{2}|a+b|}``)
inside ``\\left[ ... \\right]``, typeset here with pdflatex (skips without it) in Computer
Modern and in Fourier.

TeX keeps its clearance between the bar and a denominator that holds a fraction, so that
denominator's baseline sits lower than a plain one; with Fourier's fraction parameters it
sits more than 1.1 em under the bar. The grouping of a bracketed group into rows
(``_delimiters._anchor``) then took the denominator for a second row, and the group was
read as a two-row ``bmatrix`` with the small fraction's bar as an ``\\overline``. A glyph
whose box starts right under the bar is the denominator's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import typeset_displays

_PROSE = "The relative change between two iterations, used to stop the solver, is\n"


def _relative_change(a: str, k: str) -> str:
    new, old = f"{a}_{{({k}+1)}}", f"{a}_{{({k})}}"
    return f"\\frac{{|{new} - {old}|}}{{\\frac{{1}}{{2}}|{new} + {old}|}}"


_DISPLAYS = [
    f"\\begin{{equation}}\n\\mathrm{{C}} = \\max \\left[ {_relative_change(a, k)}, "
    f"{_relative_change(b, k)}, {last} \\right].\n\\end{{equation}}\n"
    for (a, b), k, last in zip(
        [
            ("\\rho", "u"),
            ("p", "\\sigma"),
            ("e", "v"),
            ("u", "p"),
            ("\\sigma", "e"),
            ("v", "\\rho"),
        ],
        "knjknj",
        ["|f|", "|g_{u}|", "\\epsilon", "|f|", "|g_{u}|", "\\epsilon"],
        strict=True,
    )
]


@pytest.mark.parametrize("font", ["cm", "fourier"])
def test_bracketed_fraction_with_a_deep_denominator_is_no_matrix(tmp_path: Path, font: str) -> None:
    body = "".join(_PROSE + display for display in _DISPLAYS)
    latex = [r.latex.replace(" ", "") for r in typeset_displays(tmp_path / "deep.tex", body, font)]
    # read as one bracketed group: no matrix rows, the small fraction no overline
    good = [
        s
        for s in latex
        if "\\left[" in s
        and "\\right]" in s
        and "bmatrix" not in s
        and "\\overline" not in s
        and s.count("{\\frac{1}{2}|") == 2
    ]
    assert len(good) >= 0.9 * len(_DISPLAYS), latex
