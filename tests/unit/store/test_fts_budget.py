"""The keyword search's postings budget: rarest words first, stems as FTS5 makes them."""

from pathlib import Path

import pytest

from scipix_search.config import Settings
from scipix_search.ingest import ParsedPassage
from scipix_search.store import Store, repo
from scipix_search.store._fts import rarest_words
from tests.factories import parsed_document, random_unit_vectors

COMMON = "Viscous flows of the fluid are modelled by these equations, flow after flow."


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(Settings(data_dir=tmp_path / "data"))
    parsed = parsed_document(passages=0)
    texts = [COMMON] * 30 + ["Stokeslets and flows near a rigid wall."]
    parsed.passages.extend(ParsedPassage(t, 1, None, i) for i, t in enumerate(texts))
    with store.session() as session:
        repo.add_document(
            session=session, parsed=parsed, passage_vectors=random_unit_vectors(len(texts), 8)
        )
        session.commit()
    return store


def test_words_that_fit_the_budget_together_are_all_kept(store: Store) -> None:
    with store.session() as session:
        assert rarest_words(session, ["viscous", "Stokeslets"]) == ["viscous", "Stokeslets"]


def test_over_the_budget_the_rarest_stems_are_kept_in_query_order(store: Store) -> None:
    with store.session() as session:
        # "flowing" and "flows" share the stem of the 31 passages' "flow"; "viscous" is in 30
        kept = rarest_words(session, ["flowing", "Stokeslets", "viscous"], budget=31)
        assert kept == ["Stokeslets", "viscous"]
        assert rarest_words(session, ["flowing", "viscous"], budget=1) == ["viscous"]
        hits = repo.fulltext_passages(session=session, query="flowing Stokeslets", limit=5)
    assert len(hits) >= 1
