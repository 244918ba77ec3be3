"""store.repo on a real SQLite database (migrated by Store): writes, reads, deletes, search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scipix_search.config import Settings
from scipix_search.ingest import ParsedPassage
from scipix_search.store import Store, repo
from tests.factories import parsed_document, random_unit_vectors


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(Settings(data_dir=tmp_path / "data"))


def test_add_then_read_back_by_sha_and_id(store: Store) -> None:
    parsed = parsed_document(passages=3)
    vectors = random_unit_vectors(3, 8)
    with store.session() as session:
        document = repo.add_document(session=session, parsed=parsed, passage_vectors=vectors)
        session.commit()
        document_id = document.id
    with store.session() as session:
        found = repo.get_document_by_sha(session=session, sha256=parsed.sha256)
        assert found is not None and found.id == document_id
        assert [p.text for p in found.passages] == [p.text for p in parsed.passages]
        counts = repo.count_rows(session=session)
    assert counts["documents"] == 1 and counts["pages"] == 1
    assert counts["passages"] == counts["passage_vectors"] == 3


def test_a_vector_count_that_does_not_match_is_refused_and_nothing_is_stored(store: Store) -> None:
    parsed = parsed_document(passages=3)
    with store.session() as session, pytest.raises(ValueError, match="one vector per passage"):
        repo.add_document(session=session, parsed=parsed, passage_vectors=random_unit_vectors(2, 8))
    with store.session() as session:
        assert repo.count_rows(session=session)["documents"] == 0


def test_stored_vectors_come_back_bit_for_bit_in_batches(store: Store) -> None:
    vectors = random_unit_vectors(5, 8, seed=3)
    with store.session() as session:
        repo.add_document(
            session=session, parsed=parsed_document(passages=5), passage_vectors=vectors
        )
        session.commit()
    with store.session() as session:
        ids = repo.vector_ids(session=session, kind="passages")
        batches = list(repo.iter_vectors(session=session, kind="passages", batch=2))
    assert [len(b_ids) for b_ids, _ in batches] == [2, 2, 1]
    got = np.concatenate([v for _, v in batches])
    assert np.concatenate([i for i, _ in batches]).tolist() == sorted(ids.tolist())
    np.testing.assert_array_equal(got, vectors)


def test_delete_returns_the_ids_it_removed_and_leaves_other_documents(store: Store) -> None:
    with store.session() as session:
        first = repo.add_document(
            session=session,
            parsed=parsed_document("a.pdf", passages=2, seed=1),
            passage_vectors=random_unit_vectors(2, 8),
        )
        repo.add_document(
            session=session,
            parsed=parsed_document("b.pdf", passages=3, seed=2),
            passage_vectors=random_unit_vectors(3, 8),
        )
        session.commit()
        first_id, first_passages = first.id, sorted(p.id for p in first.passages)
    with store.session() as session:
        removed = repo.delete_document(session=session, document_id=first_id)
        session.commit()
        assert repo.delete_document(session=session, document_id=first_id) is None
        counts = repo.count_rows(session=session)
        remaining = [d.source for d in repo.list_documents(session=session)]
    assert removed is not None and sorted(removed[0]) == first_passages and removed[1] == []
    assert counts["documents"] == 1 and counts["passages"] == 3 and remaining == ["b.pdf"]


def test_keyword_search_ranks_the_passage_with_the_words(store: Store) -> None:
    parsed = parsed_document(passages=2)
    parsed.passages.append(
        ParsedPassage("The Navier Stokes equations describe viscous flow.", 1, None, 2)
    )
    with store.session() as session:
        document = repo.add_document(
            session=session, parsed=parsed, passage_vectors=random_unit_vectors(3, 8)
        )
        session.commit()
        target = document.passages[2].id
    with store.session() as session:
        hits = repo.fulltext_passages(session=session, query="the viscous Stokes flow", limit=5)
        assert repo.fulltext_passages(session=session, query="the and of", limit=5) == []
    assert hits and hits[0][0] == target
