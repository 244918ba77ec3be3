"""Display equations on a page without prose lines, typeset here with pdflatex (the tests
skip without it).

A page of a derivation joins its displays with short words (``We have``, ``Then``,
``where``) that are too short to count as prose. The column's margins then came from the
lines' extents, which put the right margin at the widest display's end, so an unnumbered
display narrower than it was never centred and was dropped: such a page gave no display.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.math import as_tokens
from tests.factories import typeset

_DISPLAYS = [
    "a^{2} + b^{2} = c^{2} .",
    "\\sum_{n=1}^{N} x_{n}^{2} + \\int_{0}^{\\infty} e^{- t^{2}} d t "
    "= \\frac{\\sqrt{\\pi}}{2} + \\sum_{k} y_{k} .",
    "y_{k} = k^{2} .",
]
_WORDS = ["We have", "Then", "where"]
_PROSE = (
    "The derivation of the previous section carries over to the present case without "
    "change, and the terms collected there keep their meaning throughout the argument.\n\n"
)


def _typeset(tmp: Path, options: str, style: str, prose: str, words: list[str]) -> Path:
    body = "".join(f"{w}\n\\[ {d} \\]\n" for w, d in zip(words, _DISPLAYS, strict=False))
    return typeset(
        tmp / "derivation.tex",
        f"\\documentclass[{options}]{{article}}\n\\usepackage{{amsmath}}\n"
        f"\\pagestyle{{{style}}}\n\\begin{{document}}\n{prose}{body}\\end{{document}}\n",
    )


@pytest.mark.parametrize("style", ["empty", "plain"])
@pytest.mark.parametrize("options", ["", "twocolumn"])
@pytest.mark.parametrize(("prose", "words"), [("", _WORDS), ("", _WORDS[:1]), (_PROSE, _WORDS)])
def test_displays_joined_by_short_words_are_found(
    tmp_path: Path, options: str, style: str, prose: str, words: list[str]
) -> None:
    tex = _typeset(tmp_path, options, style, prose, words)
    source = [tuple(as_tokens(e.latex)) for e in read_tex_equations(tex) if e.display]
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    assert len(source) == len(words)
    assert len(regions) == len(source)
    for region, tokens in zip(regions, source, strict=True):
        assert region.display
        assert region.number is None
        found = tuple(as_tokens(region.latex))
        shared = sum(a == b for a, b in zip(found, tokens, strict=False))
        assert shared >= 0.8 * len(tokens), (region.latex, tokens)


def test_text_lines_alone_give_no_display(tmp_path: Path) -> None:
    """The margin rule takes only math blocks set in from the paragraph margin: short lines
    of words on a page without prose stay out."""
    tex = typeset(
        tmp_path / "words.tex",
        "\\documentclass{article}\n\\pagestyle{empty}\n\\begin{document}\n"
        "We have\n\n\\hspace*{4em}Then it holds\n\n\\begin{center}Results\\end{center}\n"
        "\\end{document}\n",
    )
    assert find_equation_regions(tex.with_suffix(".pdf"), render=False) == []
