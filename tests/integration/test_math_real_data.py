"""The math stage on real data: every real query, corpus formula, im2latex formula and paper
display equation parses or raises LatexParseError, and renamed formulas are found again.

Run with ``pytest -m shared -s tests/integration/test_math_real_data.py`` to see the figures.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from scipix_search.embed import FormulaEncoder
from scipix_search.exceptions import LatexParseError
from scipix_search.math import (
    canonical_latex,
    parse_formula,
    rename_variables,
    to_mathml,
)
from scipix_search.search import rerank

pytestmark = pytest.mark.shared

_DISPLAY_ENV = re.compile(
    r"\\begin\{(equation|align|gather|multline|eqnarray|displaymath|flalign)(\*?)\}(.*?)\\end\{\1\2\}",
    re.S,
)
_COMMENT = re.compile(r"(?<!\\)%.*")


def _queries(data: Path) -> list[str]:
    out = []
    for path in sorted((data / "queries").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                out.append(line.split("\t", 1)[1])
    return out


def _corpus(data: Path) -> list[str]:
    return (
        (data / "formulas" / "im2latex_val_formulas.txt").read_text(encoding="utf-8").splitlines()
    )


def _im2latex_dev(data: Path) -> list[str]:
    lines = (data / "im2latex" / "dev.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t", 1)[1] for line in lines if "\t" in line]


def _paper_display_math(data: Path) -> list[str]:
    out = []
    for tex in sorted(data.glob("papers/*/**/*.tex")):
        text = _COMMENT.sub("", tex.read_text(encoding="utf-8", errors="replace"))
        out += [m.group(3) for m in _DISPLAY_ENV.finditer(text)]
        out += re.findall(r"\\\[(.*?)\\\]", text, re.S)
        out += re.findall(r"\$\$(.*?)\$\$", text, re.S)
    return out


_SETS = {
    "queries": _queries,
    "formulas": _corpus,
    "im2latex_dev": _im2latex_dev,
    "papers": _paper_display_math,
}


@pytest.mark.parametrize("name", list(_SETS))
def test_real_data_parses_or_raises_parse_error(shared_dir: Path, name: str) -> None:
    formulas = _SETS[name](shared_dir)
    assert formulas, f"no {name} found"
    failures: Counter[str] = Counter()
    not_idempotent = 0
    for latex in formulas:
        try:
            formula = parse_formula(latex)
        except LatexParseError as exc:
            failures[exc.reason] += 1
            continue
        if canonical_latex(formula.canonical) != formula.canonical:
            not_idempotent += 1
    print(
        f"\n{name}: {len(formulas)} formulas, parse failures {sum(failures.values())} {dict(failures)}"
    )
    assert not_idempotent == 0
    # Real data is valid LaTeX: failures are tolerated by the contract but must stay rare.
    assert sum(failures.values()) <= 0.01 * len(formulas)


def test_real_queries_convert_to_mathml(shared_dir: Path) -> None:
    queries = _queries(shared_dir)
    assert queries, "no queries read"
    failures = 0
    for latex in queries:
        try:
            mathml = to_mathml(latex)
        except LatexParseError:
            failures += 1
            continue
        assert mathml.startswith("<math") and mathml.rstrip().endswith("</math>")
    print(f"\nqueries: MathML failures {failures} of {len(queries)}")
    # real queries are typed by people and valid LaTeX: all converted when measured
    assert failures <= 0.01 * len(queries)


def test_real_data_mutations_never_crash(shared_dir: Path) -> None:
    # Truncations and dropped characters of real formulas: parse or LatexParseError, nothing else.
    rng = np.random.default_rng(0)
    formulas = _queries(shared_dir) + _corpus(shared_dir)[:500]
    for latex in formulas:
        for _ in range(3):
            cut = int(rng.integers(0, len(latex) + 1))
            for variant in (latex[:cut], latex[:cut] + latex[cut + 1 :]):
                with contextlib.suppress(LatexParseError):
                    parse_formula(variant)


@pytest.mark.slow
def test_real_renamed_formulas_retrieved_in_top3(shared_dir: Path) -> None:
    faiss = pytest.importorskip("faiss")
    corpus = [parse_formula(x) for x in _corpus(shared_dir)[:2000]]
    encoder = FormulaEncoder()
    start = time.perf_counter()
    vectors = encoder.encode_document(corpus)
    encode_rate = len(corpus) / (time.perf_counter() - start)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)

    query_ids = list(range(0, len(corpus), 5))
    queries = [parse_formula(rename_variables(corpus[i].latex)) for i in query_ids]
    scores, rows = index.search(encoder.encode_query(queries), 100)
    dense_hits = rerank_hits = 0
    rerank_time = 0.0
    for qi, (doc_id, query) in enumerate(zip(query_ids, queries, strict=True)):
        target = corpus[doc_id].tokens  # duplicates in the corpus count as the original
        dense_hits += any(corpus[j].tokens == target for j in rows[qi][:3])
        start = time.perf_counter()
        ranked = rerank(  # the searcher's re-rank
            query,
            ((int(j), corpus[j], float(s)) for s, j in zip(scores[qi], rows[qi], strict=True)),
        )
        rerank_time += time.perf_counter() - start
        rerank_hits += any(corpus[j].tokens == target for _, j in ranked[:3])
    n = len(queries)
    print(
        f"\nrenamed-variable retrieval over {len(corpus)} formulas, {n} queries: "
        f"dense top3 {dense_hits / n:.3f}, dense+rerank top3 {rerank_hits / n:.3f}; "
        f"rerank {rerank_time / n * 1000:.1f} ms per query (100 candidates), "
        f"encode {encode_rate:.0f} formulas/s"
    )
    assert rerank_hits / n >= 0.8
    assert rerank_time / n < 0.1
