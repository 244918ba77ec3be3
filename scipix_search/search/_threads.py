"""Threads that run one query's independent retrievers side by side.

A query's retrievers wait in C (SQLite, ONNX Runtime, FAISS and NumPy release the GIL), so one
started on this pool while the caller runs another takes the query about the longer of the two
instead of their sum (docs/ARCHITECTURE.md, "Measured at 1M"). One small pool per process: an
API process answers a few queries at a time, each with one retriever beside it.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def side_pool() -> ThreadPoolExecutor:
    """The process's pool for a query's second retriever (created on first use)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="retriever")
        return _pool
