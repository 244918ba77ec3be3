"""A paragraph's line dense with inline math is no display; typeset here with pdflatex (the
tests skip without it) in Computer Modern and in newtx.

``and such that $d(x, x') \\le q + q'$ for all $q, q' \\in \\mathbb{Q}_{>0}$ and ...`` holds too
few words of the text font for a prose line, so its pieces read as a display candidate, and
a line that fills the measure passes for a wide display. TeX sets such a line on the
paragraph's baseline grid (one ``\\baselineskip`` under the line over it) and justifies it
from margin to margin; a display gets a skip over and under it and is centred
(``_paragraph_rows``). The line's math is inline math. Displays holding words
(``\\text{for } k``, ``\\quad\\text{and}\\quad``, ``cases`` conditions) stay displays.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions
from tests.factories import math_font_preamble, typeset

# each is most of a line at 10 pt; ``\\linebreak`` before and after sets it alone on a
# justified line of its paragraph. The key is a command only that line's math holds.
_DENSE = [
    (
        "and such that $d(x, x') \\le q + q'$ for all $q, q' \\in \\mathbb{Q}_{>0}$ "
        "and $x \\in \\alpha(q)$, $x' \\in \\alpha(q')$, $y \\in \\beta(r)$;",
        "\\mathbb{Q}",
    ),
    (
        "$V = \\{1, 2, 3, 4, 5\\}$ and $E = \\{(x_0, x_1), (x_1, x_2), \\dots, "
        "(x_{k-1}, x_k)\\}$ with $k \\ge 2$ and $x_0 = x_k$,",
        "x_{k-1}",
    ),
    (
        "$\\Phi_{j,kk} = u_{jk}^2 + \\nu_{jk}^2$ and $\\Phi_{j,k'k} = u_{jk} u_{jk'}$ for "
        "$k \\neq k'$, and $\\omega_i \\in \\mathbb{R}^{K}$, $\\zeta_{jk} \\ge 0$,",
        "\\Phi",
    ),
    (
        "$N = 44$, $M = 14$, $J = 2$, and $|X_{j_1,\\dots,j_m}| = 3$ for $m = 0, 1, "
        "\\dots, M - 1$, and $|X_{j_1,\\dots,j_M}| \\le 2$,",
        "X_{j_{1}",
    ),
]
_DISPLAYS = [
    "x_{k+1} = x_k - \\eta_k \\nabla f(x_k) \\quad \\text{for } k = 0, 1, \\dots",
    "f(t) = \\begin{cases} \\gamma t^2 & \\text{if } t > 0, \\\\ 0 & \\text{otherwise} "
    "\\end{cases}",
    "\\bar{y} = \\underset{k}{\\text{average}}\\, y_k \\quad\\text{and}\\quad "
    "s^2 = \\frac{1}{n} \\sum_{i=1}^{n} (y_i - \\bar{y})^2",
]
_FILL = (
    "The sampler draws each block of parameters in turn from its conditional posterior "
    "distribution given the data and the other blocks, and the chain is run long enough "
    "for the estimates to settle, which we check by comparing several runs"
)
_AFTER = (
    "which is what the construction in the previous section needs, and the argument goes "
    "through for every choice of the constants made there, as we show next by induction."
)


def _document(rng: random.Random, font: str) -> str:
    parts = []
    for i in range(8):
        dense, _ = _DENSE[i % len(_DENSE)]
        cut = rng.randint(20, 30)
        parts.append(
            " ".join(_FILL.split()[:cut])
            + " \\linebreak\n"
            + dense
            + " \\linebreak\n"
            + _AFTER
            + f" We then have\n\\[ {_DISPLAYS[i % len(_DISPLAYS)]} \\]\nfor the next step.\n\n"
        )
    return (
        f"\\documentclass{{article}}\n\\usepackage{{amsmath,amssymb}}\n"
        f"{math_font_preamble(font)}\\begin{{document}}\n{''.join(parts)}\\end{{document}}\n"
    )


@pytest.mark.parametrize("font", ["cm", "newtx"])
def test_dense_prose_lines_are_inline_math(tmp_path: Path, font: str) -> None:
    tex = typeset(tmp_path / "dense.tex", _document(random.Random(3), font))
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False, inline=True)
    displays = [r for r in regions if r.display]
    inline = [r for r in regions if not r.display]
    # the eight true displays stay, words and all
    real = [r for r in displays if any(k in r.latex for k in ("\\eta", "\\gamma", "\\bar"))]
    assert len(real) >= 8, [r.latex for r in displays]
    # no paragraph line is a display
    false = [r for r in displays if r not in real]
    assert not false, [r.latex for r in false]
    # and each dense line gives its math as inline equations
    for _, key in _DENSE:
        assert any(key in r.latex for r in inline), (key, [r.latex for r in inline])
