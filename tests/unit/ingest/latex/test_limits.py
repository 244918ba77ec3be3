"""Macro expansion is bounded: a 1 KB source can never become megabytes of formulas."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scipix_search.exceptions import CorruptInputError
from scipix_search.ingest.latex._macros import MAX_EXPANSION_CHARS, MacroTable
from scipix_search.ingest.latex._source import parse_latex_source


def poisoned_source(copies: int = 8, closers: int = 1000) -> str:
    """The source of issue 14: a macro that calls itself ``copies`` times, then ``}``s."""
    return (
        "\\documentclass{article}\n"
        "\\def\\b{" + "\\b" * copies + "}" * closers + "\n"
        "\\begin{document}\nSome prose about a macro that a hostile author wrote.\n"
        "$\\b$\n\\[ \\b \\]\n\\end{document}\n"
    )


def test_a_wide_self_calling_macro_is_refused_quickly(tmp_path: Path) -> None:
    # 480 copies: every expansion adds ~1 KB, so 20,000 expansions would make 20 MB.
    tex = tmp_path / "wide.tex"
    tex.write_text(poisoned_source(copies=480, closers=1))
    assert tex.stat().st_size < 1200
    started = time.process_time()
    with pytest.raises(CorruptInputError) as info:
        parse_latex_source(tex)
    # CPU seconds of this process (~1): what other processes load the machine with does not count
    assert time.process_time() - started < 10
    assert info.value.reason == "macro_expansion"
    assert info.value.macro == "b"
    assert "\\b " in str(info.value)
    assert "\n" not in str(info.value)


def test_the_issues_poisoned_source_is_refused(tmp_path: Path) -> None:
    # 8 copies and 1,000 closing braces: 1 KB that expanded to a 20 MB formula. TeX stops
    # it with "TeX capacity exceeded"; so does the reader, before 20 MB exist.
    tex = tmp_path / "poisoned.tex"
    tex.write_text(poisoned_source(copies=8))
    started = time.process_time()
    with pytest.raises(CorruptInputError) as info:
        parse_latex_source(tex)
    assert time.process_time() - started < 10
    assert info.value.reason == "macro_expansion" and info.value.macro == "b"
    assert "calls itself without end" in str(info.value)


def test_the_character_cap_is_a_parameter(tmp_path: Path) -> None:
    tex = tmp_path / "chain.tex"
    # Not recursive, but each level doubles the text: \d6 prints 64 x's.
    defs = "".join(
        f"\\def\\d{chr(97 + i + 1)}{{\\d{chr(97 + i)}\\d{chr(97 + i)}}}" for i in range(6)
    )
    tex.write_text(
        "\\documentclass{article}\\def\\da{x}"
        + defs
        + "\\begin{document}\n$\\dg$\n\\end{document}\n"
    )
    with pytest.raises(CorruptInputError):
        parse_latex_source(tex, max_expansion_chars=50)
    doc = parse_latex_source(tex, max_expansion_chars=MAX_EXPANSION_CHARS)
    assert [e.latex.count("x") for e in doc.equations] == [64]


def test_let_keeps_the_meaning_a_command_has_now() -> None:
    # The common idiom of redefining a built-in through a copy of it: no loop, no refusal.
    table = MacroTable()
    table.collect(r"\let\oldsqrt\sqrt \renewcommand{\sqrt}[1]{\oldsqrt{#1}\,}")
    assert table.expand(r"\sqrt{x}+\sqrt{y}") == r"\sqrt{x}\,+\sqrt{y}\,"
    table.collect(r"\newcommand{\R}{\mathbb{R}} \let\RR\R \renewcommand{\R}{\RR^n}")
    assert table.expand(r"x \in \R") == r"x \in \mathbb{R}^n"


def test_a_large_real_looking_document_expands_within_the_caps() -> None:
    table = MacroTable()
    table.collect(
        r"\newcommand{\bx}{\mathbf{x}}\newcommand{\norm}[1]{\left\|#1\right\|}"
        r"\def\R{\mathbb{R}}"
    )
    body = r"Let $\norm{\bx} \in \R$ and $\bx_i$. " * 4000  # 4,000 sentences, 12,000 macros
    out = table.expand(body, max_expansions=20_000)
    assert "\\bx" not in out and out.count(r"\mathbf{x}") == 8000
    assert out.count(r"\mathbb{R}") == 4000


def test_steps_past_the_cap_stay_as_written() -> None:
    table = MacroTable()
    table.collect(r"\newcommand{\R}{\mathbb{R}}")
    out = table.expand(r"\R \R \R \R", max_expansions=2)
    assert out.count(r"\mathbb{R}") == 2 and out.count("\\R") == 2
