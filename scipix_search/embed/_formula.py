"""A dense formula vector for FAISS: signed feature hashing of structural features.

Features of a formula (all from :func:`scipix_search.math.parse_formula`):

* symbol-pair tuples of its layout tree with unified labels (``V!*``), weight 1;
* the same tuples with concrete labels, weight ``concrete_weight`` (renaming still matches,
  the exact formula wins);
* 1- to 3-grams of canonical tokens with variables unified, weight ``ngram_weight``.

Each feature gets ``weight * (1 + log tf)``, is hashed with a stable hash (CRC-32, not Python's
salted ``hash``) to a bucket and a sign, optionally scaled by a bucket idf fitted on a corpus,
and the vector is L2-normalised, so inner product is cosine similarity.
"""

from __future__ import annotations

import json
import logging
import math
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from scipix_search.exceptions import EmbeddingError, LatexParseError, ScipixError
from scipix_search.math import ANY, WILDCARD_PREFIX, Formula, parse_formula, symbol_label, unify

logger = logging.getLogger(__name__)

CONFIG_FILE = "formula_encoder.json"
IDF_FILE = "idf.npy"
_STRUCTURE = frozenset("{}^_[]")


def _token_class(tok: str) -> str:
    if tok.startswith(WILDCARD_PREFIX) and len(tok) > 1:
        return ANY
    return unify(symbol_label(tok))


class FormulaEncoder:
    """Encode LaTeX formulas as L2-normalised float32 vectors for inner-product search.

    Args:
        dim: vector size (number of hash buckets).
        window: longest symbol-pair path in layout-tree edges.
        concrete_weight: weight of concrete-label tuples relative to unified ones.
        ngram_weight: weight of canonical-token n-grams.
        max_ngram: longest token n-gram.

    Example:
        >>> enc = FormulaEncoder(dim=256)
        >>> v = enc.encode_document(["a^2+b^2=c^2", "x^2+y^2=z^2"])
        >>> v.shape, v.dtype.name
        ((2, 256), 'float32')
        >>> bool(v[0] @ v[1] > 0.8)
        True
    """

    config_keys = ["dim", "window", "concrete_weight", "ngram_weight", "max_ngram"]

    def __init__(
        self,
        dim: int = 1024,
        window: int = 3,
        concrete_weight: float = 0.5,
        ngram_weight: float = 0.3,
        max_ngram: int = 3,
    ) -> None:
        if dim < 8:
            raise EmbeddingError(f"dim must be at least 8, got {dim}", dim=dim)
        self.dim = int(dim)
        self.window = int(window)
        self.concrete_weight = float(concrete_weight)
        self.ngram_weight = float(ngram_weight)
        self.max_ngram = int(max_ngram)
        self.idf: np.ndarray | None = None
        self._buckets: dict[str, tuple[int, float]] = {}

    # -- features -------------------------------------------------------------------------
    def features(self, formula: Formula) -> dict[str, float]:
        """Weighted features of one parsed formula (before hashing)."""
        counts: dict[str, tuple[float, int]] = {}

        def add(items: Iterable[tuple[str, int]], weight: float) -> None:
            for key, tf in items:
                counts[key] = (weight, tf)

        add(((f"U\t{a}\t{d}\t{p}", c) for (a, d, p), c in formula.unified.items()), 1.0)
        add(
            ((f"C\t{a}\t{d}\t{p}", c) for (a, d, p), c in formula.concrete.items()),
            self.concrete_weight,
        )
        classes = [_token_class(t) for t in formula.tokens if t not in _STRUCTURE]
        grams: Counter[str] = Counter()
        for n in range(1, self.max_ngram + 1):
            for i in range(len(classes) - n + 1):
                gram = classes[i : i + n]
                if ANY not in gram:  # a query variable matches anything: no evidence
                    grams["G\t" + " ".join(gram)] += 1
        add(grams.items(), self.ngram_weight)
        return {k: w * (1.0 + math.log(tf)) for k, (w, tf) in counts.items()}

    def _bucket(self, key: str) -> tuple[int, float]:
        hit = self._buckets.get(key)
        if hit is None:
            h = zlib.crc32(key.encode("utf-8"))
            # Low bits pick the bucket, the top bit the sign: independent for dim < 2**31.
            hit = (h % self.dim, 1.0 if h >> 31 else -1.0)
            if len(self._buckets) > 2_000_000:
                self._buckets.clear()
            self._buckets[key] = hit
        return hit

    def _vector(self, formula: Formula) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float64)
        for key, value in self.features(formula).items():
            idx, sign = self._bucket(key)
            vec[idx] += sign * value
        if self.idf is not None:
            vec *= self.idf
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm > 0 else vec

    # -- public API -----------------------------------------------------------------------
    def fit(self, latex_list: Iterable[str | Formula]) -> FormulaEncoder:
        """Fit bucket idf weights on a corpus (unparseable formulas are skipped).

        Returns:
            ``self``, so ``FormulaEncoder().fit(corpus)`` works.
        """
        df = np.zeros(self.dim, dtype=np.float64)
        n = 0
        for item in latex_list:
            try:
                formula = (
                    item if isinstance(item, Formula) else parse_formula(item, window=self.window)
                )
            except LatexParseError:
                continue
            buckets = {self._bucket(k)[0] for k in self.features(formula)}
            df[list(buckets)] += 1
            n += 1
        if n == 0:
            raise EmbeddingError("cannot fit idf: no parseable formula in the corpus")
        self.idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        return self

    def _encode(
        self, latex_list: Sequence[str | Formula], on_error: Literal["raise", "zero"]
    ) -> np.ndarray:
        if isinstance(latex_list, str):
            raise EmbeddingError("expected a list of formulas, got one string")
        out = np.zeros((len(latex_list), self.dim), dtype=np.float32)
        for row, item in enumerate(latex_list):
            try:
                formula = (
                    item if isinstance(item, Formula) else parse_formula(item, window=self.window)
                )
                out[row] = self._vector(formula)
            except LatexParseError:
                if on_error == "raise":
                    raise
                logger.debug("unparseable formula %d encoded as zeros", row)
            except ScipixError:
                raise
            except Exception as exc:  # a bug, not bad input: report it as such
                raise EmbeddingError(f"encoding formula {row} failed: {exc}", row=row) from exc
        return out

    def encode_query(
        self, latex_list: Sequence[str | Formula], *, on_error: Literal["raise", "zero"] = "raise"
    ) -> np.ndarray:
        """Encode query formulas (``\\qvar`` variables contribute no features).

        Args:
            latex_list: LaTeX strings or parsed formulas.
            on_error: ``"raise"`` a LatexParseError, or give an all-zero row.

        Returns:
            float32 array of shape ``(n, dim)``, rows L2-normalised (or zero).

        Raises:
            LatexParseError: a formula cannot be parsed and ``on_error="raise"``.
            EmbeddingError: the input is not a list, or encoding failed unexpectedly.
        """
        return self._encode(latex_list, on_error)

    def encode_document(
        self, latex_list: Sequence[str | Formula], *, on_error: Literal["raise", "zero"] = "raise"
    ) -> np.ndarray:
        """Encode stored formulas; same space as :meth:`encode_query` (see there)."""
        return self._encode(latex_list, on_error)

    def get_config_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.config_keys}

    @property
    def name(self) -> str:
        """Names the vector space: an index built with another configuration is rebuilt."""
        config = self.get_config_dict()
        return "formula-hash-v1:" + ",".join(f"{k}={config[k]}" for k in sorted(config))

    def save(self, directory: str | Path) -> None:
        """Write the config (and the idf weights if fitted) into ``directory``."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        config = {**self.get_config_dict(), "idf": self.idf is not None, "version": 2}
        (path / CONFIG_FILE).write_text(json.dumps(config, indent=2))
        if self.idf is not None:
            np.save(path / IDF_FILE, self.idf)

    @classmethod
    def load(cls, directory: str | Path) -> FormulaEncoder:
        """Load an encoder written by :meth:`save`.

        Raises:
            EmbeddingError: the folder has no valid encoder config or idf file.
        """
        path = Path(directory)
        try:
            config = json.loads((path / CONFIG_FILE).read_text())
            encoder = cls(**{k: config[k] for k in cls.config_keys})
            if config.get("idf"):
                idf = np.load(path / IDF_FILE)
                if idf.shape != (encoder.dim,):
                    raise EmbeddingError(f"idf has shape {idf.shape}, expected ({encoder.dim},)")
                encoder.idf = idf
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EmbeddingError(f"cannot load formula encoder from {path}: {exc}") from exc
        return encoder
