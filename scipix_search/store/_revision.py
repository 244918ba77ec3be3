"""The migration files' head revision, read as text: no SQLAlchemy, no Alembic.

Kept apart from ``_db`` so that ``stats`` (see ``_counts``) can tell whether a database is at
head without importing SQLAlchemy, which alone costs about 0.4 s of a CLI process.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

_REVISION_RE = re.compile(r"^(down_revision|revision)\b[^=\n]*=\s*(.+?)\s*$", re.MULTILINE)


def plain_head() -> str | None:
    """The head revision read from the migration files as text, or None when unsure.

    Alembic's ``ScriptDirectory`` finds it too, but importing Alembic costs about a quarter of
    a second in every CLI process (``stats`` must answer in under one). Any file this cannot
    read plainly (no literal ``revision``, a tuple of parents, several heads) means None, and
    the caller asks Alembic.
    """
    revisions: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = {m.group(1): m.group(2) for m in _REVISION_RE.finditer(path.read_text())}
        try:
            revision = ast.literal_eval(found["revision"])
            parent = ast.literal_eval(found["down_revision"])
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str) or not (parent is None or isinstance(parent, str)):
            return None
        revisions[revision] = parent
    heads = set(revisions) - {p for p in revisions.values() if p is not None}
    return heads.pop() if len(heads) == 1 else None
