"""Storage: SQLAlchemy models and repository functions, and FAISS indexes kept in step."""

from scipix_search.store import repo
from scipix_search.store._db import (
    current_revision,
    dispose_engines,
    ensure_database,
    get_engine,
    session_scope,
    upgrade_database,
)
from scipix_search.store._files import atomic_write
from scipix_search.store._kinds import IndexPolicy
from scipix_search.store._layout import ADD_STEPS, KILL_AT_ENV, REBUILD_STEPS, SAVE_STEPS
from scipix_search.store._originals import (
    keep_original,
    original_key,
    original_path,
    remove_original,
)
from scipix_search.store._store import KINDS, IndexSpec, Store, SyncReport
from scipix_search.store._vectors import IndexMeta, VectorIndex, index_lock
from scipix_search.store.models import Base, Document, Equation, Job, Page, Passage

__all__ = [
    "ADD_STEPS",
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
    "Passage",
    "Store",
    "atomic_write",
    "current_revision",
    "SyncReport",
    "VectorIndex",
    "dispose_engines",
    "ensure_database",
    "get_engine",
    "index_lock",
    "keep_original",
    "original_key",
    "original_path",
    "remove_original",
    "repo",
    "session_scope",
    "upgrade_database",
]
