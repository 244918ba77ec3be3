"""Sub-formula parts, containment and the best-matching part of a candidate."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scipix_search.exceptions import LatexParseError
from scipix_search.math import (
    Formula,
    best_subformula,
    canonical_latex,
    containment,
    match_scores,
    parse_formula,
    structural_similarity,
    subformula_parts,
)


def test_subformula_parts_cut_by_structure() -> None:
    parts = subformula_parts(r"E = \frac{m c^2}{2} + \sum_{k=1}^{n} \frac{1}{k^2} \le \sqrt{x}")
    by_kind = {(p.kind, p.latex) for p in parts}
    assert ("side", "E") in by_kind
    assert ("fraction", r"\frac { m c ^ { 2 } } { 2 }") in by_kind
    assert ("operator", r"\sum _ { k = 1 } ^ { n } \frac { 1 } { k ^ { 2 } }") in by_kind
    # every part is canonical LaTeX that parses back to itself
    for part in parts:
        assert canonical_latex(part.latex) == part.latex
        assert part.n_tokens == len(part.latex.split())


def test_subformula_parts_of_bad_latex_raise() -> None:
    with pytest.raises(LatexParseError):
        subformula_parts(r"\frac{a")


def test_containment_ignores_the_unmatched_rest() -> None:
    query = parse_formula(r"\frac{\partial u}{\partial t}")
    long = parse_formula(r"\frac{\partial u}{\partial t} = \alpha \nabla^2 u + f(x, t)")
    assert containment(query, long) == pytest.approx(1.0)
    assert structural_similarity(query, long) < 0.6  # the F-measure pays for the rest
    # renamed variables: the unified tuples still all match
    assert containment(parse_formula(r"\frac{\partial v}{\partial s}"), long) > 0.7
    assert containment(query, parse_formula("a + b")) < 0.3


def test_match_scores_equal_the_two_scores() -> None:
    rng = random.Random(0)
    formulas = [
        r"x^2 + y^2 = z^2",
        r"\sum_{i=1}^{n} x_i^2",
        r"\frac{a+b}{c}",
        r"\int_0^1 f(x)\,dx = F(1) - F(0)",
        r"?a + ?b = c",
    ]
    for _ in range(30):
        q, c = (parse_formula(rng.choice(formulas)) for _ in range(2))
        whole, contained = match_scores(q, c)
        assert whole == pytest.approx(structural_similarity(q, c))
        if q.tokens != c.tokens:
            assert contained == pytest.approx(containment(q, c))


def test_best_subformula_names_the_matching_part() -> None:
    query = parse_formula(r"\frac{1}{k^2}")
    found = best_subformula(query, r"S = \sum_{k=1}^{\infty} \frac{1}{k^2} = \frac{\pi^2}{6}")
    assert found is not None
    assert found[0] == r"\frac { 1 } { k ^ { 2 } }"
    assert found[1] == pytest.approx(1.0)
    assert best_subformula(query, r"\frac{a") is None


@pytest.mark.shared
def test_right_hand_side_finds_its_row_among_real_formulas(shared_dir: Path) -> None:
    """A right-hand side of a real formula ranks its own formula first among 800 real ones
    by ``max(whole, 0.8 * containment)``, the searcher's structure score."""
    lines = (shared_dir / "formulas" / "im2latex_val_formulas.txt").read_text().splitlines()
    rows = [line for line in lines[:800] if line.strip()]
    parsed = []
    for row in rows:
        try:
            parsed.append((row, parse_formula(row)))
        except LatexParseError:
            continue
    checked = found = 0
    for row, _formula in parsed:
        sides = [p for p in subformula_parts(row) if p.kind == "side" and p.n_tokens >= 8]
        if not sides or sides[-1].n_tokens > 0.7 * len(canonical_latex(row).split()):
            continue
        query = parse_formula(sides[-1].latex)
        best = max(parsed, key=lambda item: _structure(query, item[1]))
        checked += 1
        # another row holding the same side is as right as its own
        found += sides[-1].latex in canonical_latex(best[0])
        if checked == 15:
            break
    assert checked >= 10
    assert found / checked >= 0.9


def _structure(query: Formula, candidate: Formula) -> float:
    whole, contained = match_scores(query, candidate)
    return max(whole, 0.8 * contained)
