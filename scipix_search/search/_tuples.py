"""A first stage for sub-formula queries: an inverted index of the stored formulas' tuples.

The FAISS cosine divides by the candidate's length, so a long equation that contains the query
as one side ranks below thousands of short look-alikes (measured: at 100k equations the holder
of a typed fraction was often past the first 1,000). Counting which of the query's symbol-pair
tuples a formula holds does not: a formula's score is the idf-weighted share of the query's
distinct concrete tuples it contains, the first-stage twin of :func:`math.containment`.

Tuples are hashed (CRC-32, stable across processes) into ``2**20`` buckets; postings are one
sorted int32 array, so 100k formulas of ~150 distinct tuples take ~60 MB.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence

import numpy as np

from scipix_search.math import Formula

logger = logging.getLogger(__name__)

BUCKETS = 1 << 20
COMMON_SHARE = 0.2
"""Tuples held by more than this share of formulas carry no evidence and cost the most: skipped."""


def tuple_keys(formula: Formula | None) -> np.ndarray:
    """The distinct hashed concrete tuples of a formula (int32; empty for None)."""
    if formula is None:
        return np.zeros(0, dtype=np.int32)
    keys = {zlib.crc32(f"{a}\t{d}\t{p}".encode()) % BUCKETS for (a, d, p) in formula.concrete}
    return np.fromiter(keys, dtype=np.int32, count=len(keys))


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

    def __init__(self, keys: Sequence[np.ndarray], ids: Sequence[int] | None = None) -> None:
        self.n = len(keys)
        self.ids = np.arange(self.n, dtype=np.int64) if ids is None else np.asarray(ids, np.int64)
        lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=self.n)
        flat = np.concatenate(list(keys)) if self.n else np.zeros(0, dtype=np.int32)
        rows = np.repeat(np.arange(self.n, dtype=np.int32), lengths)
        order = np.argsort(flat, kind="stable")
        self._postings = rows[order]
        self._df = np.bincount(flat, minlength=BUCKETS).astype(np.int32)
        self._starts = np.concatenate(([0], np.cumsum(self._df))).astype(np.int64)

    @property
    def nbytes(self) -> int:
        return int(self._postings.nbytes + self._df.nbytes + self._starts.nbytes + self.ids.nbytes)

    def search(self, query: Formula, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` formulas holding the largest idf-weighted share of the query's tuples.

        Returns:
            ``(scores, ids)``, best first; scores in [0, 1] (1.0: every informative tuple).
        """
        keys = tuple_keys(query)
        df = self._df[keys]
        # common tuples count neither way; tuples no formula holds count against all
        informative = df <= max(1, COMMON_SHARE * self.n)
        total = float(np.log1p(self.n / np.maximum(df[informative], 1)).sum())
        keep = informative & (df > 0)
        keys, df = keys[keep], df[keep]
        if not len(keys) or total <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        idf = np.log1p(self.n / df)
        rows = np.concatenate([self._postings[self._starts[b] : self._starts[b + 1]] for b in keys])
        weights = np.repeat(idf, df)
        scores = np.bincount(rows, weights=weights, minlength=self.n) / total
        k = min(k, self.n)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        return scores[top].astype(np.float32), self.ids[top]
