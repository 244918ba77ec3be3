"""Tuple sketches: the re-rank scores stored formulas without parsing them, with the same floats."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scipix_search.exceptions import LatexParseError, ScipixError
from scipix_search.math import (
    Formula,
    match_scores,
    parse_formula,
    rename_variables,
    subformula_parts,
)
from scipix_search.search import TupleIndex, load_tuple_index, stored_tuple_index
from scipix_search.search._sketch import NOT_PARSED, record_bytes

ROWS = [
    r"p(x) = \frac{1}{\sqrt{2 \pi \sigma^2}} \exp\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)",
    r"\frac{1}{\sqrt{2 \pi}}",
    r"a^2 + b^2 = c^2",
    r"\sum_{k=1}^{\infty} \frac{1}{k^2} = \frac{\pi^2}{6}",
    r"\alpha \beta + x * y",
]


def _paper_formulas(shared_dir: Path) -> list[str]:
    from scipix_search.eval import paper_folders
    from scipix_search.ingest import read_tex_equations

    out = []
    for paper in paper_folders(shared_dir / "papers"):
        try:
            out += [eq.latex for eq in read_tex_equations(paper.tex)]
        except ScipixError:
            continue
    return out


class _Parser:
    """The searcher's fallback: parses on demand and counts what it parsed."""

    def __init__(self) -> None:
        self.parsed: list[int] = []

    def __call__(self, eq_id: int, latex: str) -> Formula | None:
        self.parsed.append(eq_id)
        try:
            return parse_formula(latex)
        except LatexParseError:
            return None


def _expected(query: Formula, latex: str) -> tuple[float, float]:
    try:
        return match_scores(query, parse_formula(latex))
    except LatexParseError:
        return 0.0, 0.0


def _queries(rows: list[str], rng: random.Random, n: int) -> list[tuple[Formula, int]]:
    """Real rows as typed, renamed, cut to a part, and with a query variable (with the row's
    position)."""
    out: list[tuple[Formula, int]] = []
    for at in rng.sample(range(len(rows)), n):
        row = rows[at]
        try:
            out.append((parse_formula(row), at))
            out.append((parse_formula(rename_variables(row)), at))
            parts = subformula_parts(row)
            if parts:
                out.append((parse_formula(rng.choice(parts).latex), at))
            out.append((parse_formula(r"\qvar{a} + " + row), at))
        except LatexParseError:
            continue
    return out


@pytest.mark.shared
def test_sketch_scores_equal_parsed_scores_on_real_paper_formulas(
    shared_dir: Path, tmp_path: Path
) -> None:
    rows = _paper_formulas(shared_dir)
    assert len(rows) >= 500
    formulas = list(enumerate(rows, start=1))
    index = stored_tuple_index(tmp_path / "equations.npz", formulas)
    assert index.sketches is not None
    rng = random.Random(7)
    queries = _queries(rows, rng, 60)
    assert len(queries) >= 150
    compared = exact = 0
    for query, at in queries:
        candidates = rng.sample(formulas, 100)
        if rng.random() < 0.5:  # the query's own row among them (equal canonical forms)
            candidates[0] = formulas[at]
        parser = _Parser()
        got = index.structures(query, candidates, parser)
        want = [_expected(query, latex) for _, latex in candidates]
        for (g_whole, g_part), (w_whole, w_part) in zip(got, want, strict=True):
            assert g_whole == pytest.approx(w_whole, abs=1e-9)
            assert g_part == pytest.approx(w_part, abs=1e-9)
            compared += 1
            exact += g_whole == 1.0
        # only equal-looking candidates (token hash) are parsed, to confirm
        assert len(parser.parsed) <= sum(w == 1.0 for w, _ in want) + 1
    assert compared >= 15_000
    assert exact >= 10


def test_sketch_scores_wildcards_greek_and_unparseable_rows(tmp_path: Path) -> None:
    formulas = [(i, r) for i, r in enumerate([*ROWS, r"\frac{a}{"], start=1)]
    index = stored_tuple_index(tmp_path / "equations.npz", formulas)
    assert index.sketches is not None
    assert int(index.sketches.sizes[-1]) == NOT_PARSED
    for text in [r"\qvar{x}^2 + b^2 = c^2", r"\alpha \gamma", r"\frac{1}{?n^2}", "x * y"]:
        query = parse_formula(text)
        parser = _Parser()
        got = index.structures(query, formulas, parser)
        assert got == [_expected(query, latex) for _, latex in formulas]
        assert parser.parsed == []


def test_changed_or_unknown_rows_are_parsed_not_misread(tmp_path: Path) -> None:
    formulas = list(enumerate(ROWS, start=1))
    index = stored_tuple_index(tmp_path / "equations.npz", formulas)
    query = parse_formula("x^2 + y^2 = z^2")
    # row 3's LaTeX changed since the build, row 9 was added since: both parsed
    candidates = [(3, ROWS[3]), (9, ROWS[2]), (4, ROWS[3])]
    parser = _Parser()
    got = index.structures(query, candidates, parser)
    assert got == [_expected(query, latex) for _, latex in candidates]
    assert sorted(parser.parsed) == [3, 9]
    assert TupleIndex([]).structures(query, candidates, parser) == got  # no sketches at all


def test_sketches_follow_inserts_and_deletes(tmp_path: Path) -> None:
    path = tmp_path / "equations.npz"
    first = stored_tuple_index(path, [(1, ROWS[0]), (2, ROWS[1]), (3, ROWS[2])])
    assert first.sketches is not None
    sketch_file = first.sketches.path
    # 2 deleted, 3 changed, 4 and 5 inserted: records appended to the same file
    after = [(1, ROWS[0]), (3, ROWS[3]), (4, ROWS[2]), (5, ROWS[4])]
    healed = stored_tuple_index(path, after)
    assert healed.ids.tolist() == [1, 3, 4, 5]
    assert healed.sketches is not None and healed.sketches.path == sketch_file
    assert int(healed.sketches.offsets[0]) == int(first.sketches.offsets[0])  # reused
    query = parse_formula(r"\frac{1}{k^2}")
    parser = _Parser()
    assert healed.structures(query, after, parser) == [_expected(query, r) for _, r in after]
    assert parser.parsed == []
    # the older table still reads its rows (records never move while appended to)
    before = [(1, ROWS[0]), (2, ROWS[1]), (3, ROWS[2])]
    assert first.structures(query, before, parser) == [_expected(query, r) for _, r in before]
    # saved and opened again: as healed, nothing parsed
    loaded = load_tuple_index(path)
    assert loaded is not None and loaded[0].sketches is not None
    assert loaded[0].structures(query, after, parser) == [_expected(query, r) for _, r in after]
    assert parser.parsed == []
    assert stored_tuple_index(path, after).sketches is not None


def test_sketch_file_rewritten_when_mostly_dead_and_rebuilt_when_lost(tmp_path: Path) -> None:
    path = tmp_path / "equations.npz"
    many = [(i, f"x_{{{i}}} + \\frac{{a_{{{i}}}}}{{b}} = {i}") for i in range(1, 3001)]
    built = stored_tuple_index(path, many)
    assert built.sketches is not None
    kept = many[:100]
    compacted = stored_tuple_index(path, kept)
    assert compacted.sketches is not None
    assert compacted.sketches.path != built.sketches.path  # rewritten, the dead rows gone
    assert not built.sketches.path.exists()  # the old file removed (open readers keep it)
    assert compacted.sketches.path.stat().st_size < 0.1 * 3000 * record_bytes(10)
    assert built.structures(query := parse_formula("x_{7}"), many[:9], _Parser()) == [
        _expected(query, r) for _, r in many[:9]
    ]
    query = parse_formula("x_{7} + \\frac{a_{7}}{b} = 7")
    parser = _Parser()
    assert compacted.structures(query, kept, parser)[6] == (1.0, 1.0)
    compacted.sketches.path.unlink()  # lost: rebuilt from the database rows
    loaded = load_tuple_index(path)
    assert loaded is not None and loaded[0].sketches is None
    rebuilt = stored_tuple_index(path, kept)
    assert rebuilt.sketches is not None
    got = rebuilt.structures(query, kept, _Parser())
    assert got == [_expected(query, r) for _, r in kept]


def test_match_score_arrays_are_the_scalar_floats() -> None:
    """The re-rank's vectorised arithmetic gives the floats of ``scores_from_matches`` (ties
    and order depend on them), zeros included."""
    import numpy as np

    from scipix_search.math import scores_from_matches
    from scipix_search.search._sketch import match_score_arrays

    rng = random.Random(7)
    for _ in range(200):
        n_u, n_c = rng.choice([0, 1, rng.randint(1, 300)]), rng.choice([0, rng.randint(1, 300)])
        sizes = np.array([rng.choice([0, rng.randint(1, 400)]) for _ in range(50)])
        m_u = np.array([rng.randint(0, min(n_u, s)) for s in sizes])
        m_c = np.array([rng.randint(0, min(n_c, s, u)) for s, u in zip(sizes, m_u, strict=True)])
        whole, contained = match_score_arrays(m_u, m_c, n_u, n_c, sizes)
        expected = [
            scores_from_matches(int(u), int(c), n_u, n_c, int(s), int(s))
            for u, c, s in zip(m_u, m_c, sizes, strict=True)
        ]
        assert list(zip(whole.tolist(), contained.tolist(), strict=True)) == expected
