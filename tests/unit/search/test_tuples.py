"""The tuple index: the first stage that finds formulas containing the query."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scipix_search.exceptions import LatexParseError
from scipix_search.math import canonical_latex, parse_formula, subformula_parts
from scipix_search.search import (
    COMMON_SHARE,
    TupleIndex,
    TupleRows,
    heal_tuple_rows,
    load_tuple_index,
    save_tuple_index,
    stored_tuple_index,
    tuple_keys,
)

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


def _rows(formulas: list[tuple[int, str]]) -> TupleRows:
    return heal_tuple_rows(None, formulas)[0]


def test_tuple_rows_heal_parses_only_new_changed_and_reused_ids() -> None:
    saved = _rows([(1, ROWS[0]), (2, ROWS[1]), (3, ROWS[2])])
    # 2 deleted, 3's LaTeX changed (an id reused after a delete), 4 new
    rows, changed = heal_tuple_rows(saved, [(1, ROWS[0]), (3, ROWS[3]), (4, ROWS[2])])
    assert changed == 3
    assert rows.ids.tolist() == [1, 3, 4]
    assert rows.keys[0] is saved.keys[0]  # unchanged: not parsed again
    assert set(rows.keys[1].tolist()) == set(tuple_keys(parse_formula(ROWS[3])).tolist())
    _, ids = rows.index().search(parse_formula(r"\frac{1}{k^2}"), 1)
    assert int(ids[0]) == 3
    assert heal_tuple_rows(rows, [(1, ROWS[0]), (3, ROWS[3]), (4, ROWS[2])])[1] == 0


def test_tuple_index_saved_and_loaded_alike(tmp_path: Path) -> None:
    rows = _rows([(5, ROWS[0]), (6, r"\frac{a}{"), (9, ROWS[3])])  # 6 does not parse: no keys
    index = rows.index()
    path = tmp_path / "tuples" / "equations.npz"
    save_tuple_index(path, index, rows.checks)
    loaded = load_tuple_index(path)
    assert loaded is not None
    again, checks = loaded
    assert again.ids.tolist() == [5, 6, 9]
    assert checks.tolist() == rows.checks.tolist()
    assert [k.tolist() for k in again.row_keys()] == [sorted(k.tolist()) for k in rows.keys]
    query = parse_formula(r"\frac{1}{k^2}")
    assert [a.tolist() for a in again.search(query, 3)] == [
        b.tolist() for b in index.search(query, 3)
    ]
    assert [p.name for p in path.parent.iterdir()] == ["equations.npz"]  # no temp file left


def test_stored_tuple_index_rebuilt_when_missing_damaged_or_stale(tmp_path: Path) -> None:
    path = tmp_path / "equations.npz"
    formulas = [(1, ROWS[0]), (2, ROWS[3])]
    assert load_tuple_index(path) is None
    assert stored_tuple_index(path, formulas).ids.tolist() == [1, 2]  # missing: built, saved
    built = load_tuple_index(path)
    assert built is not None
    path.write_bytes(path.read_bytes()[:200])
    assert load_tuple_index(path) is None
    path.write_bytes(b"not an npz at all")
    assert load_tuple_index(path) is None
    rebuilt = stored_tuple_index(path, formulas)
    assert rebuilt.postings.tolist() == built[0].postings.tolist()  # rebuilt alike
    # a stale file: a row added and one changed; the others keep their saved keys
    index = stored_tuple_index(path, [(1, ROWS[0]), (2, ROWS[1]), (7, ROWS[3])])
    assert index.ids.tolist() == [1, 2, 7]
    _, ids = index.search(parse_formula(r"\frac{1}{k^2}"), 1)
    assert int(ids[0]) == 7
    loaded = load_tuple_index(path)
    assert loaded is not None and loaded[0].ids.tolist() == [1, 2, 7]


def _scored_in_full(index: TupleIndex, query_keys: np.ndarray) -> np.ndarray:
    """Every row's score summed over every posting: what :meth:`TupleIndex.search` prunes."""
    df = index.df[query_keys]
    informative = df <= max(1, COMMON_SHARE * index.n)
    total = float(np.log1p(index.n / np.maximum(df[informative], 1)).sum())
    scores = np.zeros(index.n)
    for key, count in zip(query_keys[informative], df[informative], strict=True):
        if count:
            held = index.postings[int(index.df[:key].sum()) :][:count]
            scores[held] += np.log1p(index.n / count)
    return scores / total if total > 0 else scores


@pytest.mark.parametrize("k", [1, 10, 100])
def test_tuple_index_search_prunes_to_the_same_top_k_as_scoring_every_posting(k: int) -> None:
    # Zipf-like keys: a few tuples most formulas hold, many that few do, like real tuples
    rng = np.random.default_rng(k)
    keys = [
        np.unique((rng.zipf(1.3, int(rng.integers(5, 60))) % 4000).astype(np.int32))
        for _ in range(3000)
    ]
    index = TupleIndex(keys, ids=np.arange(3000) * 7 + 3)
    answered = 0
    for q in range(60):
        own = keys[int(rng.integers(len(keys)))]  # a stored formula's part, plus noise
        part = rng.permutation(own)[: max(1, len(own) // (1 + q % 3))]
        query = np.unique(np.concatenate((part, [9999])))
        full = _scored_in_full(index, query)
        scores, ids = index.search_keys(query, k)
        expected = np.sort(full[full > 0])[::-1][:k]
        np.testing.assert_allclose(scores, expected, rtol=1e-6)
        if not len(expected):  # only tuples most formulas hold
            continue
        kth = expected[-1]
        above = set(np.flatnonzero(full > kth + 1e-9).tolist())
        assert {int(i) for i, s in zip(ids, scores, strict=True) if s > kth + 1e-6} == {
            int(index.ids[r]) for r in above
        }
        # of the rows tied at the k-th score, the lowest make the answer (ids rise with rows)
        tied = np.flatnonzero(np.abs(full - kth) <= 1e-9)
        assert [int(i) for i, s in zip(ids, scores, strict=True) if abs(s - kth) <= 1e-6] == [
            int(index.ids[r]) for r in tied[: k - len(above)]
        ]
        again = index.search_keys(query, k)[1]
        assert ids.tolist() == again.tolist()  # ties broken the same way at every call
        answered += 1
    assert answered >= 40
