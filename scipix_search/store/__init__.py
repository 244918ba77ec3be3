"""Storage: SQLAlchemy models and repository functions, and FAISS indexes kept in step.

The names are imported on first use (PEP 562 ``__getattr__``), not when the package is: a
command such as ``stats`` needs :func:`quick_counts` and the index manifests only, and importing
SQLAlchemy with the models and the repository costs about half a second of its process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scipix_search._lazy import lazy_exports

if TYPE_CHECKING:
    from scipix_search.store import repo
    from scipix_search.store._counts import quick_counts
    from scipix_search.store._db import (
        current_revision,
        dispose_engines,
        ensure_database,
        get_engine,
        session_scope,
        upgrade_database,
    )
    from scipix_search.store._files import atomic_write
    from scipix_search.store._gpu import faiss_on_gpu
    from scipix_search.store._kinds import IndexPolicy
    from scipix_search.store._layout import (
        ADD_STEPS,
        DELTA_STEPS,
        KILL_AT_ENV,
        KINDS,
        REBUILD_STEPS,
        SAVE_STEPS,
    )
    from scipix_search.store._originals import (
        keep_original,
        original_key,
        original_path,
        remove_original,
    )
    from scipix_search.store._paper import PaperFields
    from scipix_search.store._store import IndexSpec, Store, SyncReport
    from scipix_search.store._vectors import IndexMeta, VectorIndex, index_lock
    from scipix_search.store.models import Base, Document, Equation, Job, Page, Passage

# Each public name and the module that defines it (the imports above, for type checkers).
__getattr__ = lazy_exports(
    __name__,
    {
        "scipix_search.store.repo": ("repo",),
        "scipix_search.store._counts": ("quick_counts",),
        "scipix_search.store._db": (
            "current_revision",
            "dispose_engines",
            "ensure_database",
            "get_engine",
            "session_scope",
            "upgrade_database",
        ),
        "scipix_search.store._files": ("atomic_write",),
        "scipix_search.store._gpu": ("faiss_on_gpu",),
        "scipix_search.store._kinds": ("IndexPolicy",),
        "scipix_search.store._layout": (
            "ADD_STEPS",
            "DELTA_STEPS",
            "KILL_AT_ENV",
            "KINDS",
            "REBUILD_STEPS",
            "SAVE_STEPS",
        ),
        "scipix_search.store._originals": (
            "keep_original",
            "original_key",
            "original_path",
            "remove_original",
        ),
        "scipix_search.store._paper": ("PaperFields",),
        "scipix_search.store._store": ("IndexSpec", "Store", "SyncReport"),
        "scipix_search.store._vectors": ("IndexMeta", "VectorIndex", "index_lock"),
        "scipix_search.store.models": ("Base", "Document", "Equation", "Job", "Page", "Passage"),
    },
)

__all__ = [
    "ADD_STEPS",
    "DELTA_STEPS",
    "KILL_AT_ENV",
    "REBUILD_STEPS",
    "SAVE_STEPS",
    "KINDS",
    "Base",
    "Document",
    "Equation",
    "IndexMeta",
    "IndexPolicy",
    "IndexSpec",
    "Job",
    "Page",
    "PaperFields",
    "Passage",
    "Store",
    "atomic_write",
    "current_revision",
    "SyncReport",
    "VectorIndex",
    "dispose_engines",
    "ensure_database",
    "faiss_on_gpu",
    "get_engine",
    "index_lock",
    "keep_original",
    "original_key",
    "original_path",
    "quick_counts",
    "remove_original",
    "repo",
    "session_scope",
    "upgrade_database",
]
