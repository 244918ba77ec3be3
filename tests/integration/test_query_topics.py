"""Every real query formula (ARQMath 2020-2022, NTCIR-12 concrete and wildcard topics) runs
against an index of real formulas without an error: alone, with the tuple index the CLI and
the API build (sub-formula candidates), and as the formula of a mixed query."""

from pathlib import Path

import pytest

from scipix_search.config import Settings
from scipix_search.embed import FormulaEncoder
from scipix_search.pipeline import Indexer
from scipix_search.search import EquationSearcher, search_mixed

pytestmark = [pytest.mark.shared, pytest.mark.slow]


def test_query_topics_all_run_against_real_formula_index(shared_dir: Path, tmp_path, text_encoder):
    collection = tmp_path / "im2latex_dev.tsv"
    lines = (shared_dir / "im2latex" / "dev.tsv").read_text().splitlines()
    collection.write_text("\n".join(lines) + "\n")
    indexer = Indexer(Settings(data_dir=tmp_path / "data"), text_encoder=text_encoder)
    outcome = indexer.ingest_file(collection)
    assert outcome.status == "added", outcome.reason
    assert outcome.equations == len(lines) - 1  # minus the header line
    searcher = EquationSearcher(indexer.store, FormulaEncoder())

    topics = sorted((shared_dir / "queries").glob("*.txt"))
    queries = [
        line.split("\t", 1)[1].strip()
        for path in topics
        for line in path.read_text().splitlines()
        if "\t" in line
    ]
    assert len(queries) == 325
    answered = 0
    for latex in queries:
        hits = searcher.search(latex, k=10)  # any exception fails the test
        answered += bool(hits)
    print(f"\n{len(queries)} real query formulas ran; {answered} returned hits")
    assert answered == len(queries)

    searcher.build_tuples()  # as the CLI and the API search
    answered = 0
    for latex in queries:
        # \[...\]: one ARQMath topic has $...$ inside its \text
        documents = search_mixed(rf"\[{latex}\]", passages=None, equations=searcher, k=3)
        answered += bool(documents and documents[0].equations)
    print(f"{len(queries)} ran as mixed queries with the tuple index; {answered} found papers")
    assert answered == len(queries)
