"""A first stage for sub-formula queries: an inverted index of the stored formulas' tuples.

The FAISS cosine divides by the candidate's length, so a long equation that contains the query
as one side ranks below thousands of short look-alikes (measured: at 100k equations the holder
of a typed fraction was often past the first 1,000). Counting which of the query's symbol-pair
tuples a formula holds does not: a formula's score is the idf-weighted share of the query's
distinct concrete tuples it contains, the first-stage twin of :func:`math.containment`.

Tuples are hashed (CRC-32, stable across processes) into ``2**20`` buckets; postings are one
sorted int32 array, so 100k formulas of ~150 distinct tuples take ~60 MB.

Parsing is the cost (~1.5 ms a formula: minutes at 100k), so each formula's keys are kept in a
file beside the FAISS indexes: ``search/_tuple_file.py``.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Sequence

import numpy as np

from scipix_search.math import Formula, match_scores
from scipix_search.search._sketch import (
    NOT_PARSED,
    NOT_SKETCHED,
    SketchQuery,
    SketchTable,
    sketch_scores,
)

logger = logging.getLogger(__name__)

BUCKETS = 1 << 20
COMMON_SHARE = 0.2
"""Tuples held by more than this share of formulas carry no evidence and cost the most: skipped."""
KEYS_VERSION = 4
"""3: the file names the rows' re-rank sketches (``search._sketch``); 4: a bare ``array`` that is
the whole formula is its rows (``math._parse``). Bump when :func:`tuple_keys` or the parser's tuples change: saved keys are then rebuilt."""


def tuple_keys(formula: Formula | None) -> np.ndarray:
    """The distinct hashed concrete tuples of a formula (int32; empty for None)."""
    if formula is None:
        return np.zeros(0, dtype=np.int32)
    keys = {zlib.crc32(f"{a}\t{d}\t{p}".encode()) % BUCKETS for (a, d, p) in formula.concrete}
    return np.fromiter(keys, dtype=np.int32, count=len(keys))


def latex_check(latex: str) -> int:
    """CRC-32 of a formula's LaTeX: what ties a saved row (its keys, its sketch) to the LaTeX
    it was made of."""
    return zlib.crc32(latex.encode("utf-8", "replace"))


class TupleIndex:
    """Formulas by the query tuples they contain.

    Args:
        keys: per formula, its :func:`tuple_keys`; row ``i`` is answered as ``ids[i]``.
        ids: the formulas' ids (e.g. equation primary keys); by default ``0..n-1``.

    Example:
        >>> from scipix_search.math import parse_formula
        >>> rows = ["x = \\\\frac{a}{b+c} + y", "\\\\frac{a}{b}", "z^2"]
        >>> index = TupleIndex([tuple_keys(parse_formula(r)) for r in rows])
        >>> scores, ids = index.search(parse_formula("\\\\frac{a}{b+c}"), 2)
        >>> int(ids[0]), round(float(scores[0]), 2)
        (0, 1.0)
    """

    def __init__(
        self, keys: Sequence[np.ndarray], ids: Sequence[int] | np.ndarray | None = None
    ) -> None:
        self.n = len(keys)
        self.ids = np.arange(self.n, dtype=np.int64) if ids is None else np.asarray(ids, np.int64)
        lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=self.n)
        flat = np.concatenate(list(keys)) if self.n else np.zeros(0, dtype=np.int32)
        rows = np.repeat(np.arange(self.n, dtype=np.int32), lengths)
        order = np.argsort(flat, kind="stable")
        self.sketches: SketchTable | None = None
        self.checks: np.ndarray | None = None  # CRC-32 of each row's LaTeX, where known
        self._postings = rows[order]
        self._df = np.bincount(flat, minlength=BUCKETS).astype(np.int32)
        self._starts = np.concatenate(([0], np.cumsum(self._df))).astype(np.int64)

    @classmethod
    def from_postings(cls, postings: np.ndarray, df: np.ndarray, ids: np.ndarray) -> TupleIndex:
        """The index whose :attr:`postings` and :attr:`df` these are (as saved): no sort."""
        index = cls.__new__(cls)
        index.n = len(ids)
        index.ids = np.asarray(ids, np.int64)
        index.sketches = None
        index.checks = None
        index._postings = np.asarray(postings, np.int32)
        index._df = np.asarray(df, np.int32)
        index._starts = np.concatenate(([0], np.cumsum(index._df))).astype(np.int64)
        return index

    @property
    def postings(self) -> np.ndarray:
        """Rows, bucket after bucket (row numbers, not ids)."""
        return self._postings

    @property
    def df(self) -> np.ndarray:
        """Per bucket, how many rows hold it."""
        return self._df

    def row_keys(self) -> list[np.ndarray]:
        """Per row, its keys: the build undone, to heal a saved index."""
        if not self.n:
            return []
        buckets = np.repeat(np.arange(BUCKETS, dtype=np.int32), self._df)
        order = np.argsort(self._postings, kind="stable")
        counts = np.bincount(self._postings, minlength=self.n)
        return np.split(buckets[order], np.cumsum(counts)[:-1])

    @property
    def nbytes(self) -> int:
        """Bytes in memory, the sketches' offsets included (their records stay on disk)."""
        held = self._postings.nbytes + self._df.nbytes + self._starts.nbytes + self.ids.nbytes
        return int(held) + (self.sketches.nbytes if self.sketches is not None else 0)

    def rows_of(self, ids: Sequence[int]) -> np.ndarray:
        """Row of each id (ids ascending), -1 where the index does not hold it."""
        wanted = np.asarray(ids, np.int64)
        if not self.n or not len(wanted):
            return np.full(len(wanted), -1, np.int64)
        rows = np.minimum(np.searchsorted(self.ids, wanted), self.n - 1)
        return np.where(self.ids[rows] == wanted, rows, -1)

    def structures(
        self,
        query: Formula,
        candidates: Sequence[tuple[int, str]],
        parse: Callable[[int, str], Formula | None],
    ) -> list[tuple[float, float]]:
        """``(whole, contained)`` of each candidate ``(id, latex)`` against ``query``, as
        :func:`~scipix_search.math.match_scores` gives them (0.0 for LaTeX that does not parse).

        A candidate whose row holds a sketch of this very LaTeX (checksum) is scored from it,
        unparsed; the others (added since the build, changed, or without a sketch) and the
        sketches whose token hash equals the query's (confirmed) are parsed by ``parse``.
        """
        sketches, checks = self.sketches, self.checks
        out: list[tuple[float, float] | None] = [None] * len(candidates)
        if sketches is not None and checks is not None and candidates and self.n:
            found = self.rows_of([i for i, _ in candidates])
            rows = np.maximum(found, 0)
            crcs = np.fromiter(
                (latex_check(latex) for _, latex in candidates), np.int64, len(found)
            )
            # a row's sketch serves only the LaTeX it was made of (checksum)
            current = (found >= 0) & (checks[rows].astype(np.int64) == crcs)
            sizes = np.where(current, sketches.sizes[rows], NOT_SKETCHED)
            for k in np.flatnonzero(sizes == NOT_PARSED).tolist():
                out[k] = (0.0, 0.0)
            at = np.flatnonzero(sizes >= 0)
            if len(at):
                records = sketches.read_rows(rows[at])
                prepared = SketchQuery.of(query, sketches.vocab)
                positions = at.tolist()

                def same(j: int) -> bool:
                    formula = parse(*candidates[positions[j]])
                    return formula is not None and formula.tokens == query.tokens

                unified_of = sketches.vocab.unified_array()
                for k, pair in zip(
                    positions, sketch_scores(prepared, records, unified_of, same), strict=True
                ):
                    out[k] = pair
        result = []
        for known, (eq_id, latex) in zip(out, candidates, strict=True):
            if known is not None:
                result.append(known)
                continue
            formula = parse(eq_id, latex)
            result.append((0.0, 0.0) if formula is None else match_scores(query, formula))
        return result

    def search(self, query: Formula, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` formulas holding the largest idf-weighted share of the query's tuples.

        Exact, but not by summing every posting list (~1M postings a query at 1M formulas):
        lists are read rarest first (MaxScore). Once the idf left in the unread lists is below
        the ``k``-th best partial score, no formula outside the candidates can reach the top
        ``k``; the candidates that still can are looked up in the remaining (sorted) lists.

        Returns:
            ``(scores, ids)``, best first; scores in [0, 1] (1.0: every informative tuple).
            Equal scores are in row order, and of the rows tied at the ``k``-th score the
            lowest make the answer: the top ``k`` of every row sorted by score, then row.
        """
        return self.search_keys(tuple_keys(query), k)

    def search_keys(self, keys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`search` for a query's distinct :func:`tuple_keys`."""
        keys = np.asarray(keys, np.int64)
        df = self._df[keys]
        # common tuples count neither way; tuples no formula holds count against all
        informative = df <= max(1, COMMON_SHARE * self.n)
        total = float(np.log1p(self.n / np.maximum(df[informative], 1)).sum())
        keep = informative & (df > 0)
        keys, df = keys[keep], df[keep]
        if not len(keys) or total <= 0 or k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        k = min(k, self.n)
        order = np.argsort(df, kind="stable")  # rarest (highest idf) first
        keys, df = keys[order], df[order].astype(np.int64)
        idf = np.log1p(self.n / df)
        rows, scores = self._top_candidates(keys, df, idf, k)
        scores /= total
        if len(rows) > k:
            top = _top_k(rows, scores, k)
            rows, scores = rows[top], scores[top]
        best = np.lexsort((rows, -scores))  # ties by row: the same answer at every call
        return scores[best].astype(np.float32), self.ids[rows[best]]

    def _top_candidates(
        self, keys: np.ndarray, df: np.ndarray, idf: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows that can be in the top ``k`` (a superset of it) with their exact idf sums.

        Lists (rarest first) are added to a dense sum until the idf of the lists left cannot
        lift an unseen formula above the ``k``-th partial sum (checked each time the postings
        read double); then the candidates that can still reach the top ``k`` are completed from
        the lists left, pruned again after each.
        """
        sums = np.zeros(self.n)
        # postings are int32 (half the memory); NumPy converts an int32 index array to intp at
        # every fancy-index use, so each list is converted once, where it is read
        lists = [self._postings[self._starts[b] : self._starts[b + 1]] for b in keys]
        rest = np.concatenate((np.cumsum(idf[::-1])[::-1], [0.0]))  # rest[i]: idf of lists i..
        reach = np.cumsum(df)
        parts: list[np.ndarray] = []
        read, target = 0, min(len(keys), int(np.searchsorted(reach, k)) + 1)
        theta = 0.0
        while True:
            for j in range(read, target):
                held = lists[j].astype(np.intp)
                partial = sums.take(held)
                parts.append(held[partial == 0])  # every idf is > 0: a zero sum is unseen
                partial += idf[j]
                sums[held] = partial
            read = target
            rows = np.concatenate(parts) if len(parts) > 1 else parts[0]
            scores = sums.take(rows)
            theta = _kth_above(scores, k, theta)
            # lists from `needed` on hold too little idf to lift an unseen formula to theta
            needed = int(np.searchsorted(-rest, _EPS - theta, side="right"))
            needed = min(needed, len(keys)) if theta > 0 else len(keys)
            if needed <= read:
                break
            parts = [rows]
            # read on until the postings read double (theta rises as lists are read)
            doubled = int(np.searchsorted(reach, 2 * reach[read - 1])) + 1
            target = max(read + 1, min(needed, doubled))
        left = float(rest[read])
        for j in range(read, len(keys)):
            if j > read:  # (for list `read`, the last round's scores and theta are current)
                scores = sums.take(rows)
                theta = _kth_above(scores, k, theta)
            rows = rows[scores + left >= theta - _EPS]  # the others cannot make it
            postings = lists[j]
            if len(postings) <= 4 * len(rows):
                held = postings.astype(np.intp)
                sums[held] = sums.take(held) + idf[j]
            else:  # few candidates: look them up in the list (ascending rows)
                # int32 like the list: a wider needle would make NumPy convert the whole list
                wanted = rows.astype(np.int32)
                at = np.minimum(np.searchsorted(postings, wanted), len(postings) - 1)
                found = rows[postings[at] == wanted]
                sums[found] = sums.take(found) + idf[j]
            left -= float(idf[j])
        return rows, sums[rows]


_EPS = 1e-9
"""Slack for the bounds: partial sums add the same idf in another order than a full sum."""


def _kth_above(scores: np.ndarray, k: int, floor: float) -> float:
    """:func:`_kth` of ``scores`` when it is known to be at least ``floor`` (the last one:
    sums only grow, and no row holding one of the top ``k`` is cut), read among the scores
    from ``floor`` up: usually far fewer to partition."""
    if floor > 0:
        high = scores[scores >= floor]
        if len(high) >= k:
            return _kth(high, k)
    return _kth(scores, k)


def _top_k(rows: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best ``scores`` (``k < len(scores)``); rows tied at the ``k``-th
    score are taken lowest first, as a sort by score, then row, takes them: the answer is the
    index's, not ``np.argpartition``'s pick among ties or the order the rows were visited in."""
    top = np.argpartition(-scores, k - 1)[:k]
    kth = scores[top[k - 1]]  # argpartition puts the k-th largest at k - 1
    tied = scores == kth
    if np.count_nonzero(tied) == np.count_nonzero(scores[top] == kth):
        return top  # no tie across the cut (the usual case: one comparison more)
    above = np.flatnonzero(scores > kth)
    at = np.flatnonzero(tied)
    lowest = at[np.argsort(rows[at], kind="stable")[: k - len(above)]]
    return np.concatenate((above, lowest))


def _kth(scores: np.ndarray, k: int) -> float:
    """The ``k``-th largest score (0.0 when there are fewer)."""
    if len(scores) < k:
        return 0.0
    return float(np.partition(scores, len(scores) - k)[len(scores) - k])
