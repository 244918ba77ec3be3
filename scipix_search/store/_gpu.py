"""FAISS on a GPU where the ``gpu`` extra (``faiss-gpu-cu12``) sees one, on the CPU otherwise.

The choice follows ``Settings.device`` as the ONNX models' does (``scipix_search.onnx``): ``auto``
takes a GPU when FAISS reports one, ``cpu`` never does, ``cuda`` insists and fails with an
install hint when there is none, so that a broken GPU setup is an error and not a silent CPU run.

What runs there: searches (a device copy of the index, kept beside the CPU index that is saved,
mutated and read for its ids) and the k-means of an IVF index's training. The CPU index stays the
one of record: a device copy is never serialised, and FAISS's GPU kinds cannot ``remove_ids``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from scipix_search.exceptions import MissingDependencyError

if TYPE_CHECKING:
    import faiss

logger = logging.getLogger(__name__)

FAISS_GPU_PACKAGE = "faiss-gpu-cu12"


@functools.cache
def gpu_count() -> int:
    """GPUs FAISS can use here: 0 with ``faiss-cpu``, which has no GPU code. Asked once a
    process: every search of an ``auto`` index on a CPU machine asks again otherwise."""
    import faiss

    get = getattr(faiss, "get_num_gpus", None)
    return int(get()) if get is not None else 0


def faiss_on_gpu(device: str, gpus: int | None = None) -> bool:
    """Whether FAISS work for ``device`` (``auto``, ``cpu`` or ``cuda``) runs on a GPU.

    Args:
        device: The requested device (``Settings.device``).
        gpus: GPUs FAISS sees (default: :func:`gpu_count`).

    Raises:
        MissingDependencyError: ``cuda`` was requested and FAISS sees no GPU.

    Example:
        >>> faiss_on_gpu("cpu", gpus=1), faiss_on_gpu("auto", gpus=0), faiss_on_gpu("auto", gpus=1)
        (False, False, True)
    """
    if device == "cpu":
        return False
    gpus = gpu_count() if gpus is None else gpus
    if device == "cuda" and gpus == 0:
        raise MissingDependencyError(
            "device 'cuda' requested but FAISS sees no GPU (install the gpu extra: "
            f"pip install '{FAISS_GPU_PACKAGE}' in place of faiss-cpu, and check the CUDA driver)",
            package=FAISS_GPU_PACKAGE,
        )
    return gpus > 0


@functools.cache
def _resources() -> Any:
    # One pool of scratch memory and streams per process, as FAISS recommends: each
    # StandardGpuResources reserves about 18% of the device's memory on first use.
    import faiss

    return faiss.StandardGpuResources()


def to_gpu(index: faiss.Index) -> faiss.Index:
    """A copy of a CPU index on GPU 0 (ids and an ``IndexIDMap2`` wrapper kept)."""
    import faiss

    copy = faiss.index_cpu_to_gpu(_resources(), 0, index)
    logger.info("copied a %d-vector %s index to the GPU", index.ntotal, type(index).__name__)
    return copy


@contextmanager
def kmeans_on_gpu(ivf: faiss.IndexIVF) -> Iterator[None]:
    """Within the block, ``ivf.train`` assigns points to centroids on the GPU (its costly part).

    The coarse quantiser itself stays on the CPU, where the saved index keeps it. The device
    index is referenced here for the whole block: FAISS holds only a raw pointer to it.
    """
    import faiss

    metric = faiss.METRIC_INNER_PRODUCT
    flat = faiss.IndexFlatIP(ivf.d) if ivf.metric_type == metric else faiss.IndexFlatL2(ivf.d)
    device_flat = to_gpu(flat)
    ivf.clustering_index = device_flat
    try:
        yield
    finally:
        ivf.clustering_index = None  # type: ignore[assignment]  # swig takes None as NULL
