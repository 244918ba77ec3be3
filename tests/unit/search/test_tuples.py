"""The tuple index: the first stage that finds formulas containing the query."""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.exceptions import LatexParseError
from scipix_search.math import canonical_latex, parse_formula, subformula_parts
from scipix_search.search import TupleIndex, tuple_keys

ROWS = [
    r"p(x) = \frac{1}{\sqrt{2 \pi \sigma^2}} \exp\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)",
    r"\frac{1}{\sqrt{2 \pi}}",
    r"a^2 + b^2 = c^2",
    r"\sum_{k=1}^{\infty} \frac{1}{k^2} = \frac{\pi^2}{6}",
]


def test_tuple_index_ranks_the_container_first_whatever_its_length() -> None:
    index = TupleIndex([tuple_keys(parse_formula(r)) for r in ROWS], ids=[10, 11, 12, 13])
    scores, ids = index.search(parse_formula(r"\frac{(x-\mu)^2}{2\sigma^2}"), 2)
    assert int(ids[0]) == 10
    assert float(scores[0]) == pytest.approx(1.0)
    assert index.nbytes > 0
    scores, ids = index.search(parse_formula(r"\frac{1}{k^2}"), 4)
    assert int(ids[0]) == 13


def test_tuple_index_of_nothing_and_of_unknown_tuples() -> None:
    index = TupleIndex([tuple_keys(None), tuple_keys(parse_formula("x"))])
    scores, ids = index.search(parse_formula(r"\int_0^1 f"), 5)
    assert len(scores) == len(ids) == 0


@pytest.mark.shared
def test_tuple_index_finds_rows_holding_a_real_right_hand_side(shared_dir: Path) -> None:
    lines = (shared_dir / "formulas" / "im2latex_val_formulas.txt").read_text().splitlines()
    rows, keys = [], []
    for line in lines[:1500]:
        try:
            keys.append(tuple_keys(parse_formula(line)))
        except LatexParseError:
            continue
        rows.append(line)
    index = TupleIndex(keys)
    checked = found = 0
    for row in rows[:300]:
        sides = [p for p in subformula_parts(row) if p.kind == "side" and p.n_tokens >= 12]
        if not sides:
            continue
        _, ids = index.search(parse_formula(sides[-1].latex), 10)
        found += any(sides[-1].latex in canonical_latex(rows[int(i)]) for i in ids)
        checked += 1
    assert checked >= 20
    assert found / checked >= 0.95
