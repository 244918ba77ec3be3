"""Passage search: dense (FAISS) and keyword (FTS) candidates fused by reciprocal rank."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from functools import partial
from typing import TYPE_CHECKING, Literal

import numpy as np

from scipix_search.embed import TextEncoder
from scipix_search.exceptions import EmptyQueryError
from scipix_search.search._hits import Hit, Ranked, Ranking, reciprocal_rank_fusion
from scipix_search.search._scores import CLOSE_MATCH, PASSAGE_CALIBRATION, stored_cosine
from scipix_search.search._threads import side_pool
from scipix_search.store import IndexSpec, Store, repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "keyword"]
MAX_QUERY_CHARS = 2000


def snippet(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


class PassageSearcher:
    """Search passages by meaning and by exact words.

    Args:
        store: the store to read.
        encoder: the passage encoder (the one that filled the index).
        candidates: how many candidates each retriever contributes before fusion.
    """

    def __init__(self, store: Store, encoder: TextEncoder, *, candidates: int = 100) -> None:
        self.store = store
        self.encoder = encoder
        self.candidates = candidates
        self.spec = IndexSpec("passages", encoder.name, encoder.dim)
        self._index = store.open_index(self.spec)

    def reload(self) -> None:
        self._index = self.store.open_index(self.spec)

    def search(self, query: str, k: int = 10, *, mode: Mode = "hybrid") -> list[Hit]:
        """Return the ``k`` best passages for ``query``.

        Raises:
            EmptyQueryError: the query is empty or only white space.
        """
        return self.rank(query, k, mode=mode).hits()

    def rank(self, query: str, k: int = 10, *, mode: Mode = "hybrid") -> Ranking:
        """The ``k`` best passages for ``query``, ranked; hits built only when asked.

        What :meth:`search` returns is ``rank(...).hits()``; mixed queries rank deep and
        hydrate only the passage each shown paper keeps.

        Raises:
            EmptyQueryError: the query is empty or only white space.
        """
        query = (query or "").strip()
        if not query:
            raise EmptyQueryError("empty query: type some words to search for")
        query = query[:MAX_QUERY_CHARS]
        rankings: list[list[int]] = []
        dense_scores: dict[int, float] = {}
        pending: Future[list[tuple[int, float]]] | None = None
        if mode in ("hybrid", "keyword"):
            pending = side_pool().submit(self._keyword, query)
        # encoded in every mode: a hit's probability of relevance is read from its cosine
        vector = self.encoder.encode_query([query])
        with self.store.session() as session:
            if mode in ("hybrid", "dense"):
                dense_scores = self._dense(session, vector)
                rankings.append(list(dense_scores))
            keyword: list[tuple[int, float]] = []
            if pending is not None:
                keyword = pending.result()
                rankings.append([pid for pid, _ in keyword])
            if mode == "hybrid":
                fused = reciprocal_rank_fusion(rankings)
            elif mode == "dense":
                fused = [(pid, dense_scores[pid]) for pid in rankings[0]]
            else:
                fused = keyword
            top = fused[:k]
            # absent ids: the index is ahead of the database (a delete in flight)
            documents = repo.passage_documents(session=session, ids=[pid for pid, _ in top])
        items = [Ranked(pid, documents[pid], score) for pid, score in top if pid in documents]
        return Ranking(items, partial(self._hydrate, vector[0], dense_scores))

    def _keyword(self, query: str) -> list[tuple[int, float]]:
        """The keyword retriever's ``candidates`` best passages, in a session of its own
        (it runs in another thread)."""
        with self.store.session() as session:
            return repo.fulltext_passages(session=session, query=query, limit=self.candidates)

    def _dense(self, session: Session, vector: np.ndarray) -> dict[int, float]:
        """The index's ``candidates`` nearest passages and their cosines, best first.

        A compressed index (SQ8, PQ) scores roughly: its shortlist is re-scored with the stored
        vectors (one query) and ranked by the exact inner product, so the ranking is the
        exact one among the candidates it found (benchmarks/passage_index.py).
        """
        scores, ids = self._index.search(vector, self.candidates)
        dense = {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}
        if not self._index.approximate_scores or not dense:
            return dense
        stored = repo.passage_embeddings(session=session, ids=list(dense))
        # absent ids: the index is ahead of a delete; a stable sort keeps the index's order on ties
        exact = {pid: stored_cosine(stored[pid], vector[0]) for pid in dense if pid in stored}
        return dict(sorted(exact.items(), key=lambda item: -item[1]))

    def _hydrate(
        self, vector: np.ndarray, dense_scores: dict[int, float], items: list[Ranked]
    ) -> list[Hit]:
        """Hits of ranked passages: their rows and papers, probability from the cosine."""
        if not items:
            return []
        with self.store.session() as session:
            rows = repo.get_passages(session=session, ids=[r.id for r in items])
            hits = []
            for item in items:
                passage = rows.get(item.id)
                if passage is None:  # deleted since the ranking
                    continue
                cosine = dense_scores.get(item.id)
                if cosine is None:  # found by its words only
                    cosine = stored_cosine(passage.embedding, vector)
                probability = PASSAGE_CALIBRATION(cosine)
                hits.append(
                    Hit(
                        kind="passage",
                        id=item.id,
                        document_id=passage.document_id,
                        source=passage.document.source,
                        title=passage.document.title,
                        page=passage.page,
                        bbox=passage.bbox,
                        score=probability,
                        text=snippet(passage.text),
                        raw_score=round(float(item.score), 6),
                        close_match=probability >= CLOSE_MATCH,
                        cosine=round(cosine, 6),
                    )
                )
        return hits
