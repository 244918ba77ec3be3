"""Commands of common math packages stored as what they print (``\\ket{x}`` as ``|x\\rangle``)."""

from __future__ import annotations

from pathlib import Path

from scipix_search.ingest import read_tex_equations
from scipix_search.ingest.latex._packages import expand_qty


def _equations(tmp_path: Path, preamble: str, body: str) -> list[str]:
    path = tmp_path / "paper.tex"
    path.write_text(
        f"\\documentclass{{article}}\n{preamble}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )
    return [e.latex for e in read_tex_equations(path)]


def test_physics_commands_are_expanded_when_the_package_is_loaded(tmp_path: Path) -> None:
    body = r"""
\begin{equation}
\ket{\psi} = \qty(\abs{a} + \norm{\vb{x}}) \bra{\phi} + \expval{H} + \qty{b}
\end{equation}
"""
    got = _equations(tmp_path, r"\usepackage{amsmath,physics}", body)
    assert got == [
        r"|\psi\rangle = (|a| + \|\mathbf{x}\|) \langle \phi| + \langle H\rangle + \{b\}"
    ]


def test_without_the_package_the_commands_stay_as_written(tmp_path: Path) -> None:
    got = _equations(tmp_path, r"\usepackage{amsmath}", r"\begin{equation}\ket{\psi}\end{equation}")
    assert got == [r"\ket{\psi}"]


def test_the_authors_own_definition_wins(tmp_path: Path) -> None:
    preamble = r"\usepackage{physics}" + "\n" + r"\renewcommand{\abs}[1]{\lvert #1\rvert}"
    got = _equations(tmp_path, preamble, r"\begin{equation}\abs{x}\end{equation}")
    assert got == [r"\lvert x\rvert"]


def test_qty_keeps_the_brackets_it_sizes() -> None:
    assert expand_qty(r"\qty[a + \qty(b)] + \qty{c + \qty|d|}") == r"[a + (b)] + \{c + |d|\}"
    assert expand_qty(r"\qtyx") == r"\qtyx"  # another command, not \qty
