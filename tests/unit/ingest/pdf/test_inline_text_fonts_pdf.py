"""Inline math whose glyphs come from text fonts, typeset here with pdflatex in two font
setups each (the tests skip without it); rates over generated formulas, not counts.

* Times and Palatino math (``mathptmx``, ``mathpazo``) take their Latin letters from the
  text italic: ``$1 + pN$`` prints ``pN`` as a two-letter word of that font, which read as
  prose; an operand of a math operator or relation is math, an emphasised word is not.
* A word set tight before a bracket that opens such a letter is the formula's, as before a
  math-font letter (``\\text{Poisson}(T)``).
* A table row has no words around its math: a row holding a relation of a math font is read
  for inline math (``$-10 < f < 58$`` in a cell), in Computer Modern and in newtx.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions
from scipix_search.math import as_tokens
from tests.factories import typeset

# no pair of these makes a ligature or a word the reader knows as a function name
_LETTERS = "pqNMkbdR"
_OPS = ["+", "-", "="]
_WORDS = ["Poisson", "Gamma", "Binom", "Uniform"]
_TEXT_ITALIC_MATH = {"mathpazo": "\\usepackage{mathpazo}", "mathptmx": "\\usepackage{mathptmx}"}
_TABLE_FONTS = {"cm": "", "newtx": "\\usepackage{newtxtext,newtxmath}"}


def _tokens(latex: str) -> tuple[str, ...]:
    return tuple(as_tokens(latex))


def _inline(tex: Path) -> list[str]:
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False, inline=True)
    return [r.latex for r in regions if not r.display]


def _document(preamble: str, body: str) -> str:
    return (
        "\\documentclass[11pt]{article}\n\\usepackage{amsmath}\n"
        + preamble
        + "\n\\pagestyle{empty}\n\\begin{document}\n"
        + body
        + "\n\\end{document}\n"
    )


@pytest.mark.parametrize("setup", sorted(_TEXT_ITALIC_MATH))
def test_products_of_text_italic_letters_are_operands(tmp_path: Path, setup: str) -> None:
    rng = random.Random(7)
    formulas = []
    for _ in range(16):
        a, b, c = rng.sample(_LETTERS, 3)
        op = rng.choice(_OPS)
        formulas.append(f"{a} {op} {b}{c}" if rng.random() < 0.5 else f"{b}{c} {op} {a}")
    body = "".join(
        f"In this model we write ${f}$ for the size of the \\emph{{next}} step, and we do "
        "\\emph{not} change it later on in the text of the section.\n"
        for f in formulas
    )
    tex = typeset(tmp_path / f"{setup}.tex", _document(_TEXT_ITALIC_MATH[setup], body))
    read = _inline(tex)
    wanted = [_tokens(f) for f in formulas]
    found = {_tokens(latex) for latex in read}
    assert sum(w in found for w in wanted) >= 0.9 * len(wanted), read
    # the emphasised words stay prose
    assert not any("next" in latex or "not" in latex for latex in read), read


@pytest.mark.parametrize("setup", sorted(_TEXT_ITALIC_MATH))
def test_a_word_before_a_bracketed_text_italic_letter_is_the_formulas(
    tmp_path: Path, setup: str
) -> None:
    rng = random.Random(11)
    formulas = [f"\\text{{{rng.choice(_WORDS)}}}({rng.choice('TXYZ')})" for _ in range(12)]
    body = "".join(
        f"Each count is drawn from ${f}$ at every step of the simulation we ran.\n"
        for f in formulas
    )
    tex = typeset(tmp_path / f"{setup}.tex", _document(_TEXT_ITALIC_MATH[setup], body))
    found = {_tokens(latex) for latex in _inline(tex)}
    assert sum(_tokens(f) in found for f in formulas) >= 0.9 * len(formulas), found


@pytest.mark.parametrize("setup", sorted(_TABLE_FONTS))
def test_relations_in_table_cells_are_inline_math(tmp_path: Path, setup: str) -> None:
    rng = random.Random(5)
    rows = []
    formulas = []
    for _ in range(10):
        lo, hi = rng.randint(-60, 10), rng.randint(20, 99)
        f = f"{lo} < f_{{0}} < {hi}"
        formulas.append(f)
        rows.append(
            f"{rng.randint(10, 99)} & ${f}$ & {rng.randint(100, 999)}.{rng.randint(0, 9)}\\\\"
        )
    body = (
        "The intervals of the fit are listed in the table below for every case we ran.\n\n"
        "\\begin{tabular}{rcr}\n" + "\n".join(rows) + "\n\\end{tabular}\n"
    )
    tex = typeset(tmp_path / f"{setup}.tex", _document(_TABLE_FONTS[setup], body))
    read = _inline(tex)
    found = {_tokens(latex) for latex in read}
    assert sum(_tokens(f) in found for f in formulas) >= 0.9 * len(formulas), read
    # the cells' plain numbers stay prose
    assert all(any(c in latex for c in "<f") for latex in read), read
