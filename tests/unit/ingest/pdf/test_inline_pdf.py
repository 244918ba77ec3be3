"""Inline math read from a real pdflatex PDF (``tests/fixtures/pdf/inline_math.tex``).

The fixture's sentences hold what the text layer makes hard: scripts and fractions that it
breaks into separate lines, accents set as separate glyphs (``ˆ`` in the roman font, the
extension font's ``hatwide``, a zero-width vector arrow), rules drawn by ``\\overline``, a
big operator, brackets in the text font, and a sentence hyphen after a formula.
"""

from __future__ import annotations

from pathlib import Path

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.math import as_tokens

FIXTURE = Path(__file__).parents[3] / "fixtures" / "pdf" / "inline_math"


def test_every_inline_formula_of_the_fixture_is_read_exactly() -> None:
    source = [e.latex for e in read_tex_equations(FIXTURE.with_suffix(".tex"))]
    regions = find_equation_regions(FIXTURE.with_suffix(".pdf"), render=False, inline=True)
    read = {tuple(as_tokens(r.latex)) for r in regions if not r.display}
    missing = [latex for latex in source if tuple(as_tokens(latex)) not in read]
    assert len(source) >= 12
    assert missing == []


def test_inline_regions_lie_on_the_page_of_their_line() -> None:
    regions = find_equation_regions(FIXTURE.with_suffix(".pdf"), render=False, inline=True)
    assert regions and all(r.page == 1 and not r.display for r in regions)
    for r in regions:
        x0, y0, x1, y1 = r.bbox
        assert 0 < x0 < x1 < 612 and 0 < y0 < y1 < 792


WORDS = Path(__file__).parents[3] / "fixtures" / "pdf" / "inline_words"


def test_words_colons_and_commas_at_the_edges_of_inline_math() -> None:
    """``\\text{Tr}(`` and ``\\mathsf{Sub}\\Gamma`` (a word set tight before math) belong to
    the formula, ``f : A`` (a relation colon after an italic letter's side bearing) is one
    formula, ``$D(0) = 1$, $f(r)$`` (an upright text comma, where math commas are math
    italic) is two, and a name with an affiliation mark is no formula (Libertine with newtxmath, ``inline_words.tex``)."""
    source = [e.latex for e in read_tex_equations(WORDS.with_suffix(".tex"))]
    regions = [
        r
        for r in find_equation_regions(WORDS.with_suffix(".pdf"), render=False, inline=True)
        if not r.display
    ]
    read = {tuple(as_tokens(r.latex)) for r in regions}
    formulas = [latex for latex in source if not latex.startswith("^")]  # the mark
    assert len(formulas) >= 8
    assert [latex for latex in formulas if tuple(as_tokens(latex)) not in read] == []
    # nothing joined across the sentence's comma, no name taken with its mark
    source_tokens = {tuple(as_tokens(latex)) for latex in source}
    assert [r.latex for r in regions if tuple(as_tokens(r.latex)) not in source_tokens] == ["b"]


RADICALS = Path(__file__).parents[3] / "fixtures" / "pdf" / "inline_radicals"


def test_radical_signs_hung_from_their_baseline_join_their_formula() -> None:
    """A radical sign's text-layer box lies above the formula's line (it hangs from a
    baseline level with its rule): its drawn extent puts it back on the formula's line, not
    the line above (``inline_radicals.tex``, 12 pt Computer Modern)."""
    source = [e.latex for e in read_tex_equations(RADICALS.with_suffix(".tex"))]
    regions = find_equation_regions(RADICALS.with_suffix(".pdf"), render=False, inline=True)
    read = sorted(as_tokens(r.latex) for r in regions if not r.display)
    assert len(source) == 2
    assert read == sorted(as_tokens(latex) for latex in source)
