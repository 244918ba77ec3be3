"""Bold math whose font name says ``Bold`` only after MuPDF's 24-character cut, typeset here
with pdflatex (skips without it) in Computer Modern and in Fourier.

Fourier's ``\\boldsymbol`` letters come from ``Fourier-Math-Letters-Bold`` and
``...-Bold-Italic``: both reach the reader as ``Fourier-Math-Letters-Bol``, which no role
pattern reads as bold, so ``\\boldsymbol{\\Phi}`` read as ``\\Phi``. The role is now read from
the page's fonts the cut name can be (``_fonts.cut_name_roles``), for any family.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.factories import typeset_displays

_GREEK = ["\\Phi", "\\Delta", "\\beta", "\\Psi", "\\xi", "\\Gamma", "\\theta"]
_PROSE = (
    "The closed loop of the interconnected plant is stable for every perturbation of the "
    "stated size, and the response maps below are computed from the system level "
    "parameterization of the controller as follows:\n"
)


def _display(rng: random.Random) -> tuple[str, str]:
    bold, plain = rng.sample(_GREEK, 2)
    sub = rng.choice("xuvw")
    body = (
        f"\\boldsymbol{{{bold}}}_{sub} = I - \\boldsymbol{{A}}\\,{plain}_{sub} "
        f"+ \\boldsymbol{{{bold}}}\\,z^{{-1}}"
    )
    return body, bold


@pytest.mark.parametrize("font", ["cm", "fourier"])
def test_bold_greek_reads_bold(tmp_path: Path, font: str) -> None:
    rng = random.Random(11)
    n = 8
    wanted: list[str] = []
    body = ""
    for _ in range(n):
        eq, bold = _display(rng)
        wanted.append(bold)
        body += _PROSE + "\\begin{equation}\n" + eq + "\n\\end{equation}\n"
    displays = typeset_displays(tmp_path / "bold.tex", body, font)
    assert len(displays) >= 0.9 * n, [r.text for r in displays]
    read = [r.latex.replace(" ", "") for r in displays]
    bold_read = sum(any(f"\\boldsymbol{{{g}}}" in latex for latex in read) for g in set(wanted))
    assert bold_read >= 0.9 * len(set(wanted)), read
    # the plain letter of each display stays plain: the role is not given to every font
    assert sum("\\boldsymbol{\\boldsymbol" in latex for latex in read) == 0, read
