"""GET /v1/documents: total, limit and offset for paging, and the searches' author/year filters."""

from __future__ import annotations

from fastapi.testclient import TestClient

from scipix_search.api import create_app
from scipix_search.config import Settings
from scipix_search.store import IndexSpec, Store
from tests.factories import parsed_document, random_unit_vectors

PAPERS = [  # (authors, year)
    (["Ada Lovelace", "Carl Friedrich Gauss"], 2019),
    (["Ada Lovelace"], 2021),
    (["Emmy Noether"], 2015),
    ([], None),
]


def _client(settings: Settings) -> TestClient:
    store = Store(settings)
    for seed, (authors, year) in enumerate(PAPERS):
        parsed = parsed_document(f"paper{seed}.pdf", passages=1, seed=seed)
        parsed.authors, parsed.year = authors, year
        store.add_document(
            parsed,
            passage_vectors=random_unit_vectors(1, 8, seed=seed),
            equation_extras=[],
            passage_spec=IndexSpec("passages", "test-text", 8),
            equation_spec=IndexSpec("equations", "test-formula", 4),
        )
    app = create_app(settings.model_copy(update={"embedded_worker": False}))
    return TestClient(app)  # no `with`: no model is loaded


def test_documents_pages_with_total_limit_offset(settings: Settings) -> None:
    client = _client(settings)
    first = client.get("/v1/documents", params={"limit": 3}).json()
    second = client.get("/v1/documents", params={"limit": 3, "offset": 3}).json()
    assert (first["total"], first["limit"], first["offset"]) == (4, 3, 0)
    assert (second["total"], second["offset"], len(second["data"])) == (4, 3, 1)
    ids = [d["id"] for d in first["data"] + second["data"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4  # newest first, no repeat


def test_documents_filtered_by_author_and_year(settings: Settings) -> None:
    client = _client(settings)

    def sources(**params: str) -> list[str]:
        answer = client.get("/v1/documents", params=params).json()
        assert answer["total"] == len(answer["data"])
        return sorted(d["source"] for d in answer["data"])

    assert sources(author="lovelace") == ["paper0.pdf", "paper1.pdf"]
    assert sources(author="ada gauss") == ["paper0.pdf"]  # every word, as author: in a search
    assert sources(year="2019-") == ["paper0.pdf", "paper1.pdf"]
    assert sources(year="2015") == ["paper2.pdf"]
    assert sources(author="lovelace", year="-2020") == ["paper0.pdf"]
    assert sources(author="nobody") == []
    bad = client.get("/v1/documents", params={"year": "19x"})
    assert bad.status_code == 422 and "year" in bad.json()["reason"]
