"""A paragraph's short second line, dense with math, right over a display: typeset here with
pdflatex (skips without it) in Computer Modern and in newtx.

``With this notation, the problem is equivalent to finding an operator`` (the paragraph's
first line, indented, filling the measure) then ``$\\hat{\\Phi}$ satisfying`` at the left
margin, then the display. The short line starts at the margin, not where the line over it
starts, so the rule for a paragraph's last line (``_continues_paragraph``) did not see it;
joined to the display, its words became the display's first row. Now a line that starts at
the margin right under a paragraph's indented full first line is the paragraph's
(``_blocks._ends_paragraph``).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.factories import typeset_displays

_LEADS = [
    # each fits on the paragraph's first line; ``\\linebreak`` stretches it to the margin
    "Using the eigenvectors computed in the previous section for the contact wave",
    "With this notation the robust performance problem is equivalent to finding",
    "Following the same steps as in the proof of the lemma above we obtain for",
]
_FILLER = (
    "The closed loop is stable for every perturbation of the stated size, and the bound "
    "holds uniformly over the horizon considered here, as the argument of the previous "
    "section shows for the nominal system; the same steps carry over to the perturbed one "
    "once the operators are normalised and the constraints are stated in the frequency "
    "domain, which we do next.\n\n"
)
_TAILS = ["satisfying", "such that", "we have", "where"]
_SYMS = ["\\hat{\\Phi}", "\\tilde{u} - c_p", "\\hat{x}_k", "\\lambda_1 = u"]


def _paragraph(rng: random.Random) -> str:
    lead = rng.choice(_LEADS)
    tail = f"${rng.choice(_SYMS)}$ {rng.choice(_TAILS)}"
    a, b = rng.sample("xyzw", 2)
    display = f"\\left\\| \\frac{{1}}{{\\gamma}} Q_{a} + {b}_k \\right\\|_{{\\infty}} \\leq 1"
    return (
        f"{_FILLER}{lead}\\linebreak\n{tail}\n\\begin{{equation}}\n{display}\n\\end{{equation}}\n\n"
    )


@pytest.mark.parametrize("font", ["cm", "newtx"])
def test_second_line_stays_in_its_paragraph(tmp_path: Path, font: str) -> None:
    rng = random.Random(5)
    n = 8
    body = "".join(_paragraph(rng) for _ in range(n))
    displays = typeset_displays(tmp_path / "second.tex", body, font)
    found = [r for r in displays if "\\leq" in r.latex]
    assert len(found) >= 0.9 * n, [r.text for r in displays]
    clean = [
        r for r in found if not any(w in r.latex for w in ("satisfying", "such", "have", "where"))
    ]
    assert len(clean) >= 0.9 * len(found), [r.latex for r in found]
    assert all(len(r.rows) == 0 for r in clean), [r.latex for r in clean]
