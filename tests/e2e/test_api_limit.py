"""Semantic Scholar's names: ``limit`` beside ``k`` on every search, and documented 404s."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e._live import LiveServer, serve_sample_paper, wait_for_job

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = serve_sample_paper(tmp_path_factory.mktemp("api-limit") / "data")
    yield live
    live.stop()


def test_limit_same_as_k_on_every_search(server: LiveServer) -> None:
    client = server.client()
    latex = {"latex": "a^2+b^2=c^2"}
    by_k = client.post("/v1/search/equations", json={**latex, "k": 2}).json()
    by_limit = client.post("/v1/search/equations", json={**latex, "limit": 2}).json()
    assert by_k["count"] == 2 and by_limit["data"] == by_k["data"]
    fields = {"latex": (None, latex["latex"]), "limit": (None, "1")}
    form = client.post("/v1/search/equations", files=fields).json()  # multipart
    assert form["count"] == 1 and form["data"][0] == by_k["data"][0]
    # Both sent: limit wins; out of range is refused like k.
    both = client.post("/v1/search/equations", json={**latex, "k": 3, "limit": 1}).json()
    assert both["count"] == 1
    assert client.post("/v1/search/equations", json={**latex, "limit": 0}).status_code == 422

    words = {"q": "right triangle hypotenuse"}
    for path in ("/v1/search/documents", "/v1/search"):
        k = client.get(path, params={**words, "k": 1}).json()
        limit = client.get(path, params={**words, "limit": 1}).json()
        assert limit == k and limit["count"] == 1, path
        assert client.get(path, params={**words, "limit": 101}).status_code == 422

    equation_id = by_k["data"][0]["id"]
    similar = f"/v1/equations/{equation_id}/similar"
    k = client.get(similar, params={"k": 1}).json()
    assert client.get(similar, params={"limit": 1}).json() == k and k["count"] == 1


def test_offset_pages_every_search(server: LiveServer) -> None:
    client = server.client()
    latex = {"latex": "a^2+b^2=c^2"}
    whole = client.post("/v1/search/equations", json={**latex, "k": 3}).json()["data"]
    page = client.post("/v1/search/equations", json={**latex, "k": 2, "offset": 1}).json()
    assert page["offset"] == 1 and page["data"] == whole[1:3]
    words = {"q": "right triangle hypotenuse"}
    whole = client.get("/v1/search/documents", params={**words, "k": 3}).json()["data"]
    page = client.get("/v1/search/documents", params={**words, "k": 2, "offset": 1}).json()
    assert page["offset"] == 1 and page["data"] == whole[1:3]
    mixed = {"q": "triangle $a^2+b^2=c^2$"}
    first = client.get("/v1/search", params=mixed).json()
    later = client.get("/v1/search", params={**mixed, "offset": 1}).json()
    assert first["count"] >= 1 and later["offset"] == 1
    assert later["documents"] == first["documents"][1:]


def test_404s_documented(server: LiveServer) -> None:
    client = server.client()
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in (
        ("/v1/documents/{document_id}", "get"),
        ("/v1/documents/{document_id}", "delete"),
        ("/v1/equations/{equation_id}", "get"),
        ("/v1/equations/{equation_id}/similar", "get"),
        ("/v1/jobs/{job_id}", "get"),
    ):
        assert "404" in paths[path][method]["responses"], (path, method)
    assert client.get("/v1/documents/999").status_code == 404
    assert client.get("/v1/equations/999999/similar").status_code == 404


def test_equation_search_restricted_to_display_or_inline(server: LiveServer) -> None:
    """``display`` in the query keeps display equations only (true) or inline math only
    (false)."""
    client = server.client()
    tex = rb"""\documentclass{article}
\begin{document}
For every prime $p$ the sum $\sum_{k=1}^{n} k^{3}$ of cubes is a square.
\begin{equation}
\sum_{k=1}^{n} k^{2}=\frac{n(n+1)(2n+1)}{6}
\end{equation}
\end{document}
"""
    answer = client.post("/v1/documents", files={"file": ("cubes.tex", tex, "application/x-tex")})
    assert wait_for_job(client, answer.json()["job"]["id"])["status"] == "succeeded"
    query = {"latex": "\\sum_{k=1}^{n} k^{3}", "k": 20}
    inline = client.post("/v1/search/equations", json={**query, "display": False}).json()["data"]
    display = client.post("/v1/search/equations", json={**query, "display": True}).json()["data"]
    assert inline and all(h["display"] is False for h in inline)
    assert display and all(h["display"] is True for h in display)
    assert "k^{3}" in inline[0]["latex"].replace(" ", "")
    # unfiltered, the exact inline match still ranks first, ahead of the display sum
    both = client.post("/v1/search/equations", json=query).json()["data"]
    assert both[0]["display"] is False and both[0]["latex"] == inline[0]["latex"]
