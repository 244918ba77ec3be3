"""Tables that are no displays, and displays that look like tables, typeset here with pdflatex
(the tests skip without it).

A table whose cells hold math (``$\\pi^+\\pi^-$``, ``$0.71 \\pm 0.01$``, ``$14 < f_{NL} < 60$``)
and that has no rules above and below it (or whose cells all fall into one block) was read as
one centred display: its numbers became a junk equation. A matrix, ``cases`` or an
``alignat`` of several columns is set out in columns too and must stay a display; a title set
large with math in it is no display.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations
from tests.factories import typeset

_LABELS = ["$\\pi^+\\pi^-$", "$\\rho^\\pm a_1^\\mp$", "$K_S^0$", "$\\mu^+\\mu^-$", "$e^+e^-$"]
_WORDS = ["Clean", "Full sample", "ML fit", "2d distr.", "Baseline"]

_DISPLAYS = [
    "A = \\begin{pmatrix} 1 & 0 & 2 \\\\ 0 & 3 & 0 \\\\ 4 & 0 & 5 \\end{pmatrix}",
    "\\langle C \\rangle = \\left( \\begin{array}{ccc} -0.41 & 0 & 0 \\\\ 0 & 0.52 & 0 "
    "\\\\ 0 & 0 & 0.47 \\end{array} \\right)",
    "f(x) = \\begin{cases} 1, & x > 0, \\\\ 0, & x = 0, \\\\ -1, & x < 0 \\end{cases}",
]
_ALIGNAT = (
    "\\begin{alignat*}{3}\n x &= 1, &\\qquad y &= 2, &\\qquad z &= 3, \\\\\n"
    " a &= 4, &\\qquad b &= 5, &\\qquad c &= 6, \\\\\n"
    " u &= 7, &\\qquad v &= 8, &\\qquad w &= 9.\n\\end{alignat*}\n"
)


def _table(rng: random.Random, rows: int, ruled: bool, bounds: bool) -> str:
    """A ``tabular`` of labels and measured values, with math in its cells."""
    lines = []
    for _ in range(rows):
        label = rng.choice(_LABELS + _WORDS)
        value = f"${rng.uniform(0.5, 0.8):.4f} \\pm {rng.uniform(0.001, 0.01):.4f}$"
        other = f"{rng.randint(10, 60)}"
        if bounds:
            lo = rng.randint(-30, 20)
            other = f"${lo} < f_{{\\rm NL}} < {lo + rng.randint(30, 60)}$"
        lines.append(f"{label} & {value} & {other} \\\\")
    rule = "\\hline\n" if ruled else ""
    head = "Mode & $C[\\rho]$ & Range \\\\\n"
    return (
        "\\begin{table}[h]\n\\centering\n\\begin{tabular}{lcc}\n"
        f"{rule}{head}{rule}" + "\n".join(lines) + f"\n{rule}\\end{{tabular}}\n"
        "\\caption{Results.}\n\\end{table}\n"
    )


_PROSE = (
    "The measured values of the observables are listed below for every decay mode, and "
    "the relations that define them follow in the text.\n\n"
)


def _document(fonts: str, seed: int) -> str:
    rng = random.Random(seed)
    tables = [
        _table(rng, rows=rng.randint(3, 6), ruled=ruled, bounds=bounds)
        for ruled in (False, True)
        for bounds in (False, True)
    ]
    displays = "".join(f"{_PROSE}\\[ {d} \\]\n" for d in _DISPLAYS)
    body = "".join(f"{_PROSE}{t}" for t in tables)
    return (
        f"\\documentclass{{article}}\n\\usepackage{{amsmath}}\n{fonts}\n"
        "\\title{Entanglement with $e^+e^- \\to \\tau^+\\tau^-$ at Belle II}\n\\author{A. B.}\n"
        "\\date{}\n\\begin{document}\n\\maketitle\n"
        f"{body}{displays}{_PROSE}{_ALIGNAT}{_PROSE}\\end{{document}}\n"
    )


# what the tables' cells and the title print, and no display does
_JUNK = ("\\pm", "NL", "\\tau", "\\pi", "\\rho", "\\mu", "K")


@pytest.mark.parametrize("fonts", ["", "\\usepackage{mathptmx}"])
def test_tables_are_no_displays_and_arrays_are(tmp_path: Path, fonts: str) -> None:
    junk = kept = wanted = 0
    for seed in range(3):
        tex = typeset(tmp_path / f"tables{seed}.tex", _document(fonts, seed))
        assert len([e for e in read_tex_equations(tex) if e.display]) >= len(_DISPLAYS) + 1
        regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
        displays = [r for r in regions if r.display]
        bad = [r for r in displays if any(j in r.latex for j in _JUNK)]
        junk += len(bad)
        wanted += len(_DISPLAYS) + 1
        kept += min(len(displays) - len(bad), len(_DISPLAYS) + 1)
    assert junk == 0
    assert kept >= 0.9 * wanted
