"""Multi-letter names in ``\\mathit`` are read as ``\\mathit``, not ``\\text``; typeset here with
pdflatex (the tests skip without it).

Computer Modern (and Libertine) take ``\\mathit`` from the text italic (``CMTI10``), whose
name does not say italic, so ``\\mathit{map}`` read as the upright word ``\\text{map}`` and
``\\mathit{exp}`` as the function ``\\exp``: a variable name of a program or a model lost
its letters' tokens. Upright words (``\\text{if}``, ``\\max``) stay as they were.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions
from tests.factories import typeset

_NAMES = ["map", "exp", "foldr", "as", "len", "acc", "state", "next", "Vec", "idx"]


def _display(rng: random.Random) -> tuple[str, list[str]]:
    # enough math around the names for the line to read as math (names of three or more
    # letters in a text font count as words: a display of mostly such names is not found)
    a, b = rng.sample(_NAMES, 2)
    latex = (
        f"\\mathit{{{a}}}(x_1, \\alpha_2) = \\sum_{{k=1}}^{{n}} \\mathit{{{b}}}(\\lambda_k y_k^2"
        f" + \\beta_k) \\quad \\text{{if }} x_1 > \\max_i y_i"
    )
    return latex, [a, b]


@pytest.mark.parametrize("seed", [1, 2])
def test_mathit_names_keep_their_letters(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    displays = [_display(rng) for _ in range(8)]
    body = "".join(
        f"The definition of the next step reads as follows in this case:\n\\[ {d} \\]\n"
        for d, _ in displays
    )
    tex = typeset(
        tmp_path / "names.tex",
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
        f"{body}\\end{{document}}\n",
    )
    regions = [r for r in find_equation_regions(tex.with_suffix(".pdf"), render=False) if r.display]
    assert len(regions) == len(displays)
    names = [
        (region.latex, name)
        for region, (_, ns) in zip(regions, displays, strict=True)
        for name in ns
    ]
    read = sum(f"\\mathit{{{name}}}" in latex for latex, name in names)
    assert read >= 0.9 * len(names), [latex for latex, _ in names]
    # upright words and named functions stay upright
    assert sum("\\text{if}" in r.latex and "\\max" in r.latex for r in regions) >= 0.9 * len(
        regions
    )
