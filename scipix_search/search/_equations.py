"""Equation search: FAISS candidates from structural hash vectors, then a structural re-rank.

First stage: the query's :class:`FormulaEncoder` vector against the ``equations`` index (inner
product over unified symbol-pair tuples, so renamed variables still match). Second stage: the top
candidates are re-scored with :func:`structural_similarity` (Tangent-S style tuple F-measure with
query variables as wildcards) or, when it is higher, λ times the share of the query's tuples
the candidate contains (a query that is one part of a long equation finds it; the hit's
``matched_latex`` names that part), mixed with the first-stage cosine so ties keep a sensible
order.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from scipix_search.embed import FormulaEncoder
from scipix_search.exceptions import EmptyQueryError, LatexParseError, NotFoundError
from scipix_search.math import Formula, best_subformula, match_scores, parse_formula
from scipix_search.search._context import equation_contexts
from scipix_search.search._hits import Hit, Ranked, Ranking
from scipix_search.search._rerank import SUBFORMULA_WEIGHT, rerank_bounded
from scipix_search.search._scores import CLOSE_MATCH, EQUATION_CALIBRATION, stored_cosine
from scipix_search.search._threads import side_pool
from scipix_search.search._tuple_file import stored_tuple_index
from scipix_search.search._tuples import TupleIndex
from scipix_search.store import IndexSpec, Store, repo

logger = logging.getLogger(__name__)

MAX_LATEX_CHARS = 4000


class _FormulaCache:
    """A bounded LRU of parsed stored formulas, for candidates without a current sketch (added
    since the tuple index was built, or while it builds) and sketches to confirm."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._items: OrderedDict[int, Formula | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, equation_id: int, latex: str) -> Formula | None:
        with self._lock:
            if equation_id in self._items:
                self._items.move_to_end(equation_id)
                return self._items[equation_id]
        try:
            formula: Formula | None = parse_formula(latex)
        except LatexParseError:
            formula = None
        with self._lock:
            self._items[equation_id] = formula
            if len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return formula


@dataclass(frozen=True, slots=True)
class DocumentHit:
    """A document ranked by its best-matching equations."""

    document_id: int
    source: str
    title: str | None
    score: float
    equations: list[Hit]

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": "document",
            "document_id": self.document_id,
            "source": self.source,
            "title": self.title,
            "score": self.score,
            "equations": [h.to_dict() for h in self.equations],
        }


class EquationSearcher:
    """Search stored equations by a LaTeX query.

    Args:
        store: the store to read.
        encoder: the formula encoder that filled the ``equations`` index.
        candidates: first-stage candidates re-ranked structurally.
        tuples: a :class:`TupleIndex` of the stored equations (see :meth:`build_tuples`): its
            candidates, the formulas holding most of the query's tuples whatever their length,
            join the FAISS ones (sub-formula queries).

    Example:
        >>> searcher = EquationSearcher(Store(get_settings()), FormulaEncoder())
        >>> [h.latex for h in searcher.search("x^2+y^2=z^2", k=1)]
        ['a^2+b^2=c^2']
    """

    def __init__(
        self,
        store: Store,
        encoder: FormulaEncoder,
        *,
        candidates: int = 100,
        tuples: TupleIndex | None = None,
    ) -> None:
        self.store = store
        self.encoder = encoder
        self.candidates = candidates
        self.tuples = tuples
        self.spec = IndexSpec("equations", encoder.name, encoder.dim)
        self._index = store.open_index(self.spec)
        self._cache = _FormulaCache()

    def reload(self) -> None:
        self._index = self.store.open_index(self.spec)

    def tuples_path(self) -> Path:
        """Where the tuple keys are kept: derived data beside the FAISS indexes."""
        return self.store.settings.index_dir / "tuples" / "equations.npz"

    def build_tuples(self) -> TupleIndex:
        """Index the stored equations' tuples and use them as a second first stage.

        The keys come from :meth:`tuples_path`, healed against the database (equations added
        since are parsed, ~1.5 ms each; deleted ones dropped) and saved again when they
        changed, so only the first build over a large store parses everything.
        """
        with self.store.session() as session:
            tuples = stored_tuple_index(
                self.tuples_path(), repo.iter_equation_latex(session=session)
            )
        self.tuples = tuples
        logger.info("tuple index: %d equations, %.0f MiB", tuples.n, tuples.nbytes / 2**20)
        return tuples

    def parse_query(self, latex: str) -> Formula:
        """Parse a query formula, with a clear error for empty or malformed LaTeX."""
        latex = (latex or "").strip()
        if not latex:
            raise EmptyQueryError("empty query: type a LaTeX formula to search for")
        if len(latex) > MAX_LATEX_CHARS:
            raise LatexParseError(
                f"query is {len(latex)} characters; the limit is {MAX_LATEX_CHARS}"
            )
        control = next((i for i, c in enumerate(latex) if ord(c) < 32 and c not in "\t\n\r"), None)
        if control is not None:
            # A NUL or another control character is no LaTeX (a paste gone wrong, or a probe);
            # said here rather than read as an unknown symbol that matches nothing.
            raise LatexParseError(
                f"query has a control character (U+{ord(latex[control]):04X}) at offset {control}"
            )
        formula = parse_formula(latex)
        if not formula.tokens:
            raise EmptyQueryError("the query has no math tokens after normalisation")
        return formula

    def search(self, latex: str, k: int = 10, *, display: bool | None = None) -> list[Hit]:
        """Return the ``k`` best equations for a LaTeX query, best first.

        Args:
            latex: the query formula.
            k: how many hits.
            display: only display equations (True), only inline math (False), or both.

        Raises:
            EmptyQueryError: the query is empty.
            LatexParseError: the query cannot be parsed (the error says where and why).
        """
        return self.rank(latex, k, display=display).hits()

    def rank(self, latex: str, k: int = 10, *, display: bool | None = None) -> Ranking:
        """The ``k`` best equations for a LaTeX query, ranked; hits built only when asked.

        What :meth:`search` returns is ``rank(...).hits()``; a caller that fuses or groups
        deep rankings (mixed queries, :meth:`search_documents`) hydrates only what it shows.

        Raises:
            EmptyQueryError: the query is empty.
            LatexParseError: the query cannot be parsed.
        """
        return self._rank(self.parse_query(latex), k, display=display)

    def _rank(
        self,
        query: Formula,
        k: int,
        *,
        exclude: int | None = None,
        display: bool | None = None,
    ) -> Ranking:
        # a filter on display/inline drops candidates: fetch more, so k remain
        fetch = max(self.candidates, k) * (1 if display is None else 4)
        tuples = self.tuples  # read once: a background build may replace it
        # formulas that contain the query, found beside the vector search (see side_pool)
        held = None if tuples is None else side_pool().submit(tuples.search, query, fetch)
        vector = self.encoder.encode_query([query])
        scores, ids = self._index.search(vector, fetch)
        first: dict[int, float | None] = {
            int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0
        }
        if held is not None:  # their cosine comes from their stored vector
            first.update((int(i), None) for i in held.result()[1] if int(i) not in first)
        if exclude is not None:
            first.pop(exclude, None)
        # a compressed index (SQ8, PQ) scores roughly: the shortlist is re-scored exactly
        # from the stored vectors, as are the tuple index's candidates, which have none
        rescore = self._index.approximate_scores
        with self.store.session() as session:
            # ids absent from the rows: the index is ahead of a delete
            keys = repo.equation_keys(session=session, ids=list(first))
            if display is not None:
                keys = {i: key for i, key in keys.items() if key.display == display}
            pairs = [(eq_id, key.latex) for eq_id, key in keys.items()]
            if tuples is not None:  # from the stored sketches: no candidate parsed
                structures = tuples.structures(query, pairs, self._cache.get)
            else:  # the tuple index is being built: candidates parsed (LRU)
                structures = [self._parsed_structure(query, *pair) for pair in pairs]
            scored: dict[int, tuple[float, float]] = {}
            candidates: list[tuple[int, float, float, float | None]] = []
            for (eq_id, _), (whole, contained) in zip(pairs, structures, strict=True):
                scored[eq_id] = (whole, contained)
                # None: exact from the stored vector, read only if it can reach the top k
                cosine = None if rescore else first[eq_id]
                candidates.append((eq_id, whole, contained, cosine))

            def cosines(ids: list[int]) -> dict[int, float]:
                stored = repo.equation_embeddings(session=session, ids=ids)
                return {i: stored_cosine(stored.get(i), vector[0]) for i in ids}

            ranked = rerank_bounded(candidates, cosines, k)
        items = [Ranked(i, keys[i].document_id, score) for score, i in ranked]
        return Ranking(items, partial(self._hydrate, query, scored))

    def _parsed_structure(self, query: Formula, eq_id: int, latex: str) -> tuple[float, float]:
        formula = self._cache.get(eq_id, latex)
        return (0.0, 0.0) if formula is None else match_scores(query, formula)

    def _hydrate(
        self, query: Formula, scored: dict[int, tuple[float, float]], items: list[Ranked]
    ) -> list[Hit]:
        """Hits of ranked equations: their rows and papers, context and matched part."""
        if not items:
            return []
        with self.store.session() as session:
            rows = repo.equation_hit_rows(session=session, ids=[r.id for r in items])
            kept = [(r, rows[r.id]) for r in items if r.id in rows]
            contexts = equation_contexts(session=session, equations=[e for _, e in kept])
            return [
                self._hit(
                    equation,
                    r.score,
                    self._matched_part(query, scored.get(r.id), equation.latex),
                    contexts.get(r.id),
                )
                for r, equation in kept
            ]

    @staticmethod
    def _matched_part(
        query: Formula, structure: tuple[float, float] | None, latex: str
    ) -> str | None:
        """The part of a hit that matched, when it ranks by containing the query (~2 ms)."""
        whole, contained = structure or (0.0, 0.0)
        if SUBFORMULA_WEIGHT * contained <= whole:
            return None
        found = best_subformula(query, latex)
        return found[0] if found is not None else None

    def similar(self, equation_id: int, k: int = 10) -> list[Hit]:
        """Equations similar to a stored one (itself excluded).

        Raises:
            NotFoundError: there is no equation with that id.
        """
        with self.store.session() as session:
            rows = repo.get_equations(session=session, ids=[equation_id])
        if equation_id not in rows:
            raise NotFoundError(f"equation {equation_id} does not exist", equation_id=equation_id)
        query = parse_formula(rows[equation_id].latex)
        return self._rank(query, k, exclude=equation_id).hits()

    def search_documents(
        self, latex: str, k: int = 10, *, per_document: int = 3
    ) -> list[DocumentHit]:
        """Rank documents by their best-matching equations (max score, then count).

        Only the equations shown (``per_document`` of each of the ``k`` documents) are
        hydrated; the ranking behind them is ``max(candidates, k * per_document)`` deep.
        """
        ranking = self.rank(latex, k=max(self.candidates, k * per_document))
        grouped: dict[int, list[Ranked]] = {}
        for item in ranking.items:
            group = grouped.setdefault(item.document_id, [])
            if len(group) < per_document:
                group.append(item)
        # by the raw score (as hits round it): probabilities are rounded, and near 1 they tie
        order = sorted(
            grouped.items(), key=lambda kv: (-round(kv[1][0].score, 6), -len(kv[1]), kv[0])
        )[:k]
        hits = {h.id: h for h in ranking.hits(r for _, group in order for r in group)}
        documents = []
        for doc_id, group in order:
            shown = [hits[r.id] for r in group if r.id in hits]
            if shown:  # else deleted since the ranking
                documents.append(
                    DocumentHit(doc_id, shown[0].source, shown[0].title, shown[0].score, shown)
                )
        return documents

    @staticmethod
    def _hit(
        equation: repo.EquationHitRow,
        score: float,
        matched_latex: str | None = None,
        context: str | None = None,
    ) -> Hit:
        probability = EQUATION_CALIBRATION(score)
        return Hit(
            kind="equation",
            id=equation.id,
            document_id=equation.document_id,
            source=equation.source,
            title=equation.title,
            page=equation.page,
            bbox=equation.bbox,
            score=probability,
            latex=equation.latex,
            number=equation.number,
            display=bool(equation.display),
            matched_latex=matched_latex,
            context=context,
            raw_score=round(float(score), 6),
            close_match=probability >= CLOSE_MATCH,
        )
