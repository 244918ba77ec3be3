"""An ``align`` whose second row starts ``= \\operatorname*{arg\\,min}_{...}``, typeset here
with pdflatex (skips without it) in Computer Modern and in Fourier.

TeX sets ``arg\\,min`` with a thin space; in Utopia (Fourier's text font) that is less than
what MuPDF takes for a word space, so the text layer gives one word ``argmin``. Counted as a
six-letter prose word, the row ``= argmin`` was a prose line and the row's limit joined the
row above it (both rows' limits interleaved into one reading). Runs of operator names are
no prose (``_lines._OPERATOR_RUN_RE``).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.factories import typeset_displays

_OPS = [("arg\\,min", "argmin"), ("arg\\,max", "argmax")]
_PROSE = (
    "By plugging the divergence formula into the variational objective, the approximate "
    "posterior of the model parameters can be written as\n"
)


def _align(rng: random.Random) -> str:
    op, _ = rng.choice(_OPS)
    q = rng.choice("qpr")
    t = rng.choice(["\\Theta", "\\theta", "Z"])
    lim = f"{q}({t}) \\in \\mathcal{{Q}}"
    return (
        "\\begin{align}\n"
        f"\\hat {q}({t}) &= \\operatorname*{{{op}}}_{{{lim}}} \\left( \\mathbb{{E}}_{q} \\log {q}({t})"
        f" - \\mathbb{{E}}_{q} \\log \\pi({t} | X^n) \\right) \\nonumber \\\\\n"
        f"&= \\operatorname*{{{op}}}_{{{lim}}} \\left( \\mathbb{{E}}_{q} \\log {q}({t})"
        f" - \\mathbb{{E}}_{q} \\log \\pi({t}, X^n) + \\log \\pi(X^n) \\right).\n"
        "\\end{align}\n"
    )


@pytest.mark.parametrize("font", ["cm", "fourier"])
def test_operator_name_rows_stay_rows(tmp_path: Path, font: str) -> None:
    rng = random.Random(7)
    n = 6
    body = "".join(_PROSE + _align(rng) for _ in range(n))
    displays = typeset_displays(tmp_path / "argmin.tex", body, font)
    rows = [row.latex.replace(" ", "") for r in displays for row in r.rows]
    two = [r for r in displays if len(r.rows) == 2]
    assert len(two) >= 0.9 * n, [r.text for r in displays]
    # each row has its operator once, with its own limit under it
    good = sum(
        row.count("\\operatorname*{arg\\,m") == 1 and "}_{" in row and row.count("\\in") == 1
        for row in rows
    )
    assert good >= 0.9 * 2 * n, rows
