"""What common math packages' commands print, for sources that use them.

A paper that loads ``physics`` writes ``\\ket{\\psi}`` and ``\\qty(x)``; its PDF prints
``|\\psi\\rangle`` and ``(x)``, and a researcher searching types either. Stored LaTeX should
say what the page shows, so when a package is loaded its commonly used commands are
expanded like the author's own macros (the author's definitions, read later, win). Only
commands with a fixed number of arguments are listed: ``\\braket``, ``\\dv`` or ``\\dyad``
take one or two, which a macro table cannot tell apart, so they are left as written.
"""

from __future__ import annotations

import re

from scipix_search.ingest.latex._macros import read_group

PACKAGE_MACROS = {
    "physics": r"""
        \newcommand{\ket}[1]{|#1\rangle}
        \newcommand{\bra}[1]{\langle #1|}
        \newcommand{\expval}[1]{\langle #1\rangle}
        \newcommand{\abs}[1]{|#1|}
        \newcommand{\norm}[1]{\|#1\|}
        \newcommand{\vb}[1]{\mathbf{#1}}
        \newcommand{\va}[1]{\vec{#1}}
        \newcommand{\vu}[1]{\hat{\mathbf{#1}}}
        \newcommand{\order}[1]{\mathcal{O}(#1)}
        \newcommand{\tr}{\operatorname{tr}}
        \newcommand{\Tr}{\operatorname{Tr}}
        \newcommand{\grad}{\nabla}
        \newcommand{\curl}{\nabla\times}
        \newcommand{\divergence}{\nabla\cdot}
    """,
    "braket": r"""
        \newcommand{\ket}[1]{|#1\rangle}
        \newcommand{\bra}[1]{\langle #1|}
        \newcommand{\braket}[1]{\langle #1\rangle}
    """,
    "xspace": r"\newcommand{\xspace}{}",
}
"""Definitions, in ``\\newcommand`` form, of what each package's commands print."""

_QTY_RE = re.compile(r"\\qty(?![A-Za-z])\s*")


def expand_qty(text: str) -> str:
    """``physics``' ``\\qty(x)``, ``\\qty[x]``, ``\\qty|x|`` print their brackets sized to the
    content, ``\\qty{x}`` prints braces: the brackets as written (sizing is not meaning)."""
    out: list[str] = []
    i = 0
    for m in _QTY_RE.finditer(text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        i = m.end()
        if text.startswith("{", i):
            group = read_group(text, i)
            if group is not None:
                inner, end = group
                out.append(f"\\{{{expand_qty(inner)}\\}}")
                i = end
    out.append(text[i:])
    return "".join(out)
