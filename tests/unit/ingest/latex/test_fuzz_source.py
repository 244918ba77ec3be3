"""Property-based fuzzing of LaTeX source parsing: macros, environments, math delimiters.

Whatever the source, parsing answers a document or raises the project's InputError family
(a corrupt or unparseable source), within a bounded time: macros that call themselves, unclosed
environments and stray delimiters included.
"""

from __future__ import annotations

import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scipix_search.exceptions import InputError
from scipix_search.ingest.latex._archive import TexProject
from scipix_search.ingest.latex._source import parse_latex_text

FUZZ = settings(
    max_examples=120,
    # bounded in CPU seconds by the test itself: a wall-clock deadline fails on a busy machine
    deadline=None,
    database=None,
    # CI runs the same examples every time (a red build is then a change, not a new draw);
    # SCIPIX_FUZZ_EXPLORE=1 draws fresh ones, to look for new bugs.
    derandomize=os.environ.get("SCIPIX_FUZZ_EXPLORE") != "1",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

DEFINITIONS = st.sampled_from(
    [
        r"\def\a{\a\a}",
        r"\def\b{\b x\b}",
        r"\newcommand{\c}[1]{\c{#1}#1}",
        r"\newcommand{\R}{\mathbb{R}}",
        r"\newcommand{\n}[2][2]{\|#2\|_{#1}}",
        r"\renewcommand{\vec}[1]{\vec{\mathbf{#1}}}",
        r"\let\oldvec\vec",
        r"\DeclareMathOperator{\tr}{tr}",
        r"\def\d#1{#1#1#1#1}",
        r"\providecommand{\e}{e}",
        r"\newcommand{\broken}[x]{y}",
        r"\def\open{",
        r"\usepackage{physics}",
        r"\usepackage{braket}",
    ]
)
BODY = st.sampled_from(
    [
        r"\a",
        r"\b",
        r"\c{x}",
        r"\R",
        r"\n{x}",
        r"\n[1]{y}",
        r"\vec{v}",
        r"\tr A",
        r"\d{\d{\d{z}}}",
        r"\e",
        "$x^2$",
        "$",
        "$$",
        r"\[",
        r"\]",
        r"\(",
        r"\)",
        r"\begin{equation}",
        r"\end{equation}",
        r"\begin{align}",
        "&",
        r"\\",
        r"\end{align}",
        r"\begin{verbatim}",
        r"\end{verbatim}",
        r"\label{eq:a}",
        r"\tag{1}",
        r"\section{Intro}",
        r"\appendix",
        "{",
        "}",
        "%",
        "\n",
        r"\qty(\frac{a}{b})",
        r"\ket{\psi}",
        "Some prose about the energy.",
    ]
)
SOURCE = st.builds(
    lambda defs, body, text: (
        "\\documentclass{article}\n"
        + "\n".join(defs)
        + "\n\\begin{document}\n"
        + " ".join(body)
        + text
        + "\n\\end{document}\n"
    ),
    st.lists(DEFINITIONS, max_size=6),
    st.lists(BODY, max_size=60),
    st.text(max_size=200),
)


@FUZZ
@given(st.one_of(SOURCE, st.text(max_size=2000)))
def test_latex_source_parses_or_raises_an_input_error_quickly(source: str) -> None:
    started = time.process_time()
    try:
        doc = parse_latex_text(TexProject({"main.tex": source}), "main.tex", source="main.tex")
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert doc.kind == "tex"
        assert all(e.latex for e in doc.equations)
    took = time.process_time() - started
    assert took < 8, f"{took:.1f} s on {source[:200]!r}"
