"""Index kinds: exact (flat) or approximate (IVF), which one a folder gets, and how to train it.

Every kind keeps the database's primary keys as its ids: the flat kind in an ``IndexIDMap2``, the
IVF kinds in their inverted lists (``add_with_ids``; ``remove_ids`` drops entries from the lists,
which an ``IndexIDMap2`` around an IVF index would get wrong: it assumes the inner index shifts
the later rows down as a flat one does).

*Why IVF and not HNSW*: an HNSW graph cannot remove a vector (FAISS has no ``remove_ids`` for
it), so every deleted document would have to be filtered out at search time until a rebuild, and
its memory is that of the flat index plus the graph. The IVF kinds delete in place and their
coarse quantiser trains in seconds on a sample. ``benchmarks/equation_search.py`` measures HNSW
beside them (recall, latency, memory); see ``docs/ARCHITECTURE.md``, "Vector indexes".
"""

from __future__ import annotations

import contextlib
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from scipix_search.config import IndexKind
from scipix_search.store._gpu import faiss_on_gpu, kmeans_on_gpu

if TYPE_CHECKING:
    import faiss
    import numpy as np

    from scipix_search.config import Settings

logger = logging.getLogger(__name__)

#: What ``auto`` becomes once an index holds ``approximate_from`` vectors (measured, see the
#: module docstring of ``benchmarks/equation_search.py`` and docs/vector-indexes.md).
AUTO_KIND: IndexKind = "ivf"
#: What ``auto`` trains for an equations index of ``compress_from`` vectors or more: IVF-Flat
#: holds 4 KB a 1024-dim vector (4 GB at 1M), IVF-PQ 64 B; the equation searcher re-scores
#: the PQ shortlist with the stored vectors (recall@10 against exact search 0.990 at 1M,
#: 0.980 at 20k; docs/ARCHITECTURE.md, "Vector indexes").
AUTO_LARGE_KIND: IndexKind = "ivf-pq"
#: What ``auto`` trains for a passages index of ``compress_from`` vectors or more: IVF-Flat
#: holds 1.5 KB a 384-dim vector (1.5 GB at 1M), SQ8 0.4 KB; the passage searcher re-scores
#: the shortlist with the stored vectors, which ranks as IVF-Flat does (PQ at 24 B loses
#: neighbours the re-score cannot bring back; benchmarks/passage_index.py).
AUTO_LARGE_PASSAGE_KIND: IndexKind = "ivf-sq8"
#: Kinds whose scores are not the exact inner product: a caller re-scores their shortlist.
COMPRESSED: frozenset[str] = frozenset({"ivf-sq8", "ivf-fp16", "ivf-pq"})
_TRAIN_PER_LIST = 39  # FAISS warns below 39 training points per centroid
_KMEANS_ITERATIONS = 10  # of 25 by default: the lists barely move after ten on this data


@dataclass(frozen=True, slots=True)
class IndexPolicy:
    """Which index a folder holds: exact below ``approximate_from`` vectors, ``kind`` from there.

    The switch happens when an add crosses the size (the flat index's vectors train the coarse
    quantiser) or at a rebuild (trained on a random sample of the stored vectors); the number of
    lists is fixed then (``lists_per_sqrt`` x sqrt(n)), so an index that grew far past it is
    best rebuilt (``scipix-search reindex``).
    """

    kind: IndexKind = "flat"
    approximate_from: int = 50_000
    nprobe: int = 128
    lists_per_sqrt: float = 4.0
    #: ``Settings.device``: where FAISS trains and searches (see ``_gpu.faiss_on_gpu``).
    device: str = "auto"
    #: Under ``auto``, an index trained for this many vectors or more is :attr:`compressed`
    #: (None: never); both searchers re-score a compressed index's shortlist exactly.
    compress_from: int | None = None
    #: The compressed kind: ``AUTO_LARGE_KIND`` for equations, ``AUTO_LARGE_PASSAGE_KIND``
    #: for passages.
    compressed: IndexKind = AUTO_LARGE_KIND

    @classmethod
    def from_settings(cls, settings: Settings, kind: str) -> IndexPolicy:
        """The policy of the ``passages`` or ``equations`` index."""
        chosen = settings.formula_index if kind == "equations" else settings.passage_index
        return cls(
            kind=chosen,
            approximate_from=settings.index_approximate_from,
            nprobe=settings.index_nprobe if kind == "equations" else settings.passage_nprobe,
            device=settings.device,
            compress_from=settings.index_compress_from,
            compressed=AUTO_LARGE_KIND if kind == "equations" else AUTO_LARGE_PASSAGE_KIND,
        )

    @property
    def target(self) -> IndexKind:
        """The approximate kind this policy switches to (``flat`` when it never does)."""
        return AUTO_KIND if self.kind == "auto" else self.kind

    def target_at(self, count: int) -> IndexKind:
        """The approximate kind of an index trained for ``count`` vectors: :attr:`target`,
        or under ``auto`` from :attr:`compress_from` on, :attr:`compressed`. An index keeps
        the kind it was trained as until it is rebuilt (``scipix-search reindex``)."""
        large = self.compress_from is not None and count >= self.compress_from
        return self.compressed if self.kind == "auto" and large else self.target

    def approximate_at(self, count: int) -> bool:
        """Whether an index of ``count`` vectors should be approximate."""
        return self.target != "flat" and count >= self.approximate_from

    def lists(self, count: int) -> int:
        """Inverted lists for ``count`` vectors: enough training points for each, at least 1."""
        per_sqrt = int(self.lists_per_sqrt * math.sqrt(max(count, 1)))
        return max(1, min(per_sqrt, count // _TRAIN_PER_LIST))

    def training_size(self, count: int) -> int:
        """Vectors to train on: per list, and for the 256 centroids of a PQ sub-quantiser."""
        return min(count, _TRAIN_PER_LIST * max(self.lists(count), 256))


def empty_flat(dim: int) -> faiss.IndexIDMap2:
    import faiss

    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def kind_of(index: faiss.Index) -> str:
    """The kind name of a loaded index (``flat``, ``ivf``, ``ivf-sq8``, ...)."""
    import faiss

    if isinstance(index, faiss.IndexIDMap2):
        return "flat"
    if isinstance(index, faiss.IndexIVFFlat):
        return "ivf"
    if isinstance(index, faiss.IndexIVFPQ):
        return "ivf-pq"
    if isinstance(index, faiss.IndexIVFScalarQuantizer):
        fp16 = index.sq.qtype == faiss.ScalarQuantizer.QT_fp16
        return "ivf-fp16" if fp16 else "ivf-sq8"
    return type(index).__name__


def trained_index(policy: IndexPolicy, sample: np.ndarray, count: int) -> faiss.IndexIVF:
    """An empty IVF index of ``policy.target_at(count)`` for about ``count`` vectors, trained on ``sample``.

    Args:
        policy: the kind, lists per sqrt(n) and nprobe.
        sample: training vectors (float32, L2-normalised), ideally a random sample of the data.
        count: how many vectors the index is for (sets the number of lists).
    """
    import faiss
    import numpy as np

    dim = sample.shape[1]
    lists = policy.lists(count)
    kind = policy.target_at(count)
    codes = {
        "ivf": "Flat",
        "ivf-sq8": "SQ8",
        "ivf-fp16": "SQfp16",
        # 16 dimensions per 8-bit sub-quantiser: 64 bytes a 1024-dim vector (1/64 of float32)
        "ivf-pq": f"PQ{max(1, dim // 16)}",
    }[kind]
    # no pre-transform in these strings: the factory's index is the IVF index itself
    index = faiss.index_factory(dim, f"IVF{lists},{codes}", faiss.METRIC_INNER_PRODUCT)
    ivf = faiss.extract_index_ivf(index)  # a view of `index`, which owns it
    ivf.cp.niter = _KMEANS_ITERATIONS
    on_gpu = kmeans_on_gpu(ivf) if faiss_on_gpu(policy.device) else contextlib.nullcontext()
    with on_gpu:
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
    ivf.nprobe = policy.nprobe
    logger.info("trained an %s index with %d lists on %d vectors", kind, lists, len(sample))
    return cast("faiss.IndexIVF", index)


def index_ids(index: faiss.Index) -> np.ndarray:
    """All ids an index holds (int64), in storage order."""
    import faiss
    import numpy as np

    if index.ntotal == 0:
        return np.empty(0, dtype=np.int64)
    if isinstance(index, faiss.IndexIDMap2):
        return faiss.vector_to_array(index.id_map).astype(np.int64)
    invlists = faiss.extract_index_ivf(index).invlists
    if invlists is None:  # an IVF index always has lists; this satisfies the type checker
        return np.empty(0, dtype=np.int64)
    parts = [
        faiss.rev_swig_ptr(invlists.get_ids(i), size).copy()
        for i in range(invlists.nlist)
        if (size := invlists.list_size(i))
    ]
    return np.concatenate(parts).astype(np.int64)


def convert(flat: faiss.Index, policy: IndexPolicy, *, seed: int = 0) -> faiss.IndexIVF:
    """The flat index's vectors in a new approximate index, trained on a random sample of them.

    Holds the flat vectors twice for a moment (the flat index and one batch being moved); the
    caller drops the flat index afterwards.
    """
    import faiss
    import numpy as np

    ids = index_ids(flat)
    count, dim = len(ids), flat.d
    # a view of the flat index's own array: no copy of it beyond the sample
    inner = cast("faiss.IndexFlat", faiss.downcast_index(cast("faiss.IndexIDMap2", flat).index))
    vectors = faiss.rev_swig_ptr(inner.get_xb(), count * dim)
    vectors = vectors.reshape(count, dim)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(count, size=policy.training_size(count), replace=False))
    index = trained_index(policy, vectors[rows], count)
    batch = 20_000
    for start in range(0, count, batch):
        index.add_with_ids(vectors[start : start + batch], ids[start : start + batch])
    return index
