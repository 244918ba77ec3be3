"""Cells of a ruled table are no display equations, typeset here with pdflatex (the tests
skip without it).

A column of values with math (``$-10 < f_{\\rm NL} < 58$`` on every row) is centred, set
apart from the prose and full of relations: it read as a multi-row display and became a junk
equation in the index. A table's rules reach past the cell across all its columns and other
cells share its rows; a display boxed by ``\\fbox`` has rules around it too, but nothing
beside it, and stays a display.
"""

from __future__ import annotations

import pytest

from scipix_search.ingest import find_equation_regions
from tests.factories import typeset_article

_TABLE = (
    "\\begin{table}[h]\\centering\n\\begin{tabular}{llrrll}\n\\toprule\n"
    "Set & $p$ & Best & Mean & 68\\% & 95\\% \\\\\n\\midrule\n"
    + "".join(
        f"{('North', 'South')[i % 2]} & {0.5 + i / 10:.1f} & {44 - i} & {37 - 2 * i} & ${14 - 4 * i} < f_{{\\rm NL}} < {60 - i}$"
        f" & ${-6 - 5 * i} < f_{{\\rm NL}} < {77 + i}$ \\\\\n"
        for i in range(8)
    )
    + "\\bottomrule\n\\end{tabular}\n\\end{table}\n"
)
_BOXED = (
    "\n\n\\noindent\\fbox{\\parbox{0.95\\linewidth}{\\[ \\Phi = \\phi + f_{\\rm NL}"
    " \\left(\\phi^2 - \\langle \\phi^2 \\rangle\\right) \\]}}\n\n"
)
_PLAIN = (
    "\\begin{equation} C_\\ell = \\frac{2}{\\pi} \\int_0^\\infty k^2 P(k)\\, dk \\end{equation}\n"
)


@pytest.fixture(scope="module")
def regions(tmp_path_factory: pytest.TempPathFactory) -> list:
    tex = typeset_article(
        tmp_path_factory.mktemp("table") / "table.tex",
        _TABLE + _BOXED + "where the potential is primordial. The spectrum reads\n" + _PLAIN,
        "\\usepackage{booktabs}\n",
    )
    return find_equation_regions(tex.with_suffix(".pdf"), render=False)


def test_table_cells_are_no_displays(regions: list) -> None:
    assert not [r for r in regions if "NL<" in r.text.replace(" ", "")], [r.text for r in regions]


def test_boxed_and_plain_displays_stay(regions: list) -> None:
    texts = [r.text.replace(" ", "") for r in regions]
    assert any("Φ=ϕ+f" in t for t in texts), texts
    assert any(t.startswith("Cℓ=") for t in texts), texts


# A table whose last rows have no rule below them (rows after a ``\midrule`` and no
# ``\bottomrule``), set ``\small``, and a two-row table whose rows between its rules hold
# every cell (math and words): no cell of either is beside the block read from it. An
# ``align*`` in a table float, under a ``Table n`` caption, is a display.
_OPEN_TABLE = (
    "\\begin{table}[h]\\centering\\small\n\\begin{tabular}{lrl}\n\\toprule\n"
    "Set & Best & 68\\% \\\\\n\\midrule\n"
    + "".join(
        f"North & {44 - i} & ${-10 - 3 * i} < f_{{\\rm NL}} < {58 - i}$ \\\\\n" for i in range(3)
    )
    + "\\midrule\n"
    + "".join(
        f"South & {40 - i} & ${-12 - 4 * i} < g_{{\\rm NL}} < {52 - i}$ \\\\\n" for i in range(6)
    )
    + "\\end{tabular}\n\\end{table}\n"
)
_CASES_TABLE = (
    "\\begin{table}[h]\\centering\\caption{Cases}\n\\begin{tabular}{cccc}\n\\hline\n"
    "$\\hat\\rho^* < \\rho$ & case a & case b & case c \\\\\n"
    "$\\hat\\rho^* > \\rho$ & case d & case e & case f \\\\\n\\hline\n\\end{tabular}\n\\end{table}\n"
)
_ALIGN_TABLE = (
    "\\begin{table}[h]\\centering\\caption{The translation}\n\\begin{align*}\n"
    "(x = y)^\\nabla &\\equiv \\nabla (x = y) \\\\\n"
    "(\\varphi \\wedge \\psi)^\\nabla &\\equiv \\varphi^\\nabla \\wedge \\psi^\\nabla \\\\\n"
    "(\\varphi \\vee \\psi)^\\nabla &\\equiv \\nabla(\\varphi^\\nabla \\vee \\psi^\\nabla)\n"
    "\\end{align*}\n\\end{table}\n"
)


@pytest.fixture(scope="module")
def more_regions(tmp_path_factory: pytest.TempPathFactory) -> list:
    prose = "The estimates of the bounds are listed in the tables below for every set. " * 3
    tex = typeset_article(
        tmp_path_factory.mktemp("tables") / "tables.tex",
        prose
        + "\n\n"
        + _OPEN_TABLE
        + prose
        + "\n\n"
        + _CASES_TABLE
        + prose
        + "\n\n"
        + _ALIGN_TABLE,
        "\\usepackage{booktabs}\n",
    )
    return find_equation_regions(tex.with_suffix(".pdf"), render=False)


def test_cells_of_open_and_full_row_tables_are_no_displays(more_regions: list) -> None:
    texts = [r.text.replace(" ", "") for r in more_regions]
    assert not [t for t in texts if "NL<" in t or "case" in t], texts


def test_align_in_a_table_float_stays(more_regions: list) -> None:
    texts = [r.text.replace(" ", "") for r in more_regions]
    assert any("∇≡∇(x=y)" in t or "(x=y)∇" in t for t in texts), texts
