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
    started = time.perf_counter()
    with pytest.raises(CorruptInputError) as info:
        parse_latex_source(tex)
    assert time.perf_counter() - started < 10  # ~1 s on a quiet core
    assert info.value.reason == "macro_expansion"
    assert info.value.macro == "b"
    assert "\\b expands without bound" in str(info.value)
    assert "\n" not in str(info.value)


def test_the_expansion_cap_is_a_parameter(tmp_path: Path) -> None:
    tex = tmp_path / "narrow.tex"
    tex.write_text(poisoned_source(copies=8))
    with pytest.raises(CorruptInputError):
        parse_latex_source(tex, max_expansion_chars=10_000)
    # The steps cap alone leaves the rest as written: the document still parses, with the
    # formulas bounded by it (the indexer then skips formulas over its length cap).
    doc = parse_latex_source(tex, max_expansions=100, max_expansion_chars=MAX_EXPANSION_CHARS)
    assert [len(e.latex) < 2000 for e in doc.equations] == [True, True]
    assert doc.passages and "Some prose" in doc.passages[0].text


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
