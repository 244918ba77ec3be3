"""Row counts of the default SQLite store read with the standard library's ``sqlite3``.

``stats`` answers in a fresh process, and importing SQLAlchemy (with the models and the
repository) is about 0.5 s of it. For the default store (an SQLite file in the data folder)
whose schema is at the migrations' head, the same counts are six plain ``SELECT count(*)``
statements, so :func:`quick_counts` reads them directly; for anything else (PostgreSQL, a URL
given by hand, no database yet, an older schema that the full path would migrate) it answers
``None`` and the caller takes the SQLAlchemy path (``repo.count_rows``), which the tests check
gives the same numbers.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing

from scipix_search.config import Settings
from scipix_search.store._revision import plain_head

logger = logging.getLogger(__name__)

#: Each count of ``repo.count_rows``, as SQL on the tables the migrations create.
COUNT_SQL = {
    "documents": "SELECT count(*) FROM documents",
    "pages": "SELECT count(*) FROM pages",
    "passages": "SELECT count(*) FROM passages",
    "passage_vectors": "SELECT count(*) FROM passages WHERE embedding IS NOT NULL",
    "equations": "SELECT count(*) FROM equations",
    "equation_vectors": "SELECT count(*) FROM equations WHERE embedding IS NOT NULL",
}


def quick_counts(settings: Settings) -> dict[str, int] | None:
    """``repo.count_rows`` of the default SQLite store, without SQLAlchemy; None when it
    cannot be answered that way (then nothing was created or changed).

    The file is opened read-only (a missing one is not created) and the counts are read in one
    transaction, so they agree with each other as the SQLAlchemy path's do.
    """
    if settings.database_url is not None:  # a URL given by hand: its driver, its dialect
        return None
    path = (settings.data_dir / "scipix.db").resolve()
    if not path.is_file():
        return None  # no store yet: the full path creates it, as every command does
    head = plain_head()
    if head is None:
        return None
    try:
        uri = f"{path.as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=30)) as connection:
            connection.execute("BEGIN")
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
            if revision != [(head,)]:
                return None  # an older schema: the full path migrates it first
            counts = {key: connection.execute(sql).fetchone()[0] for key, sql in COUNT_SQL.items()}
    except sqlite3.Error as exc:
        # e.g. a database locked past the timeout, or a WAL file this user cannot read: the
        # SQLAlchemy path answers (or reports the problem as a StoreError)
        logger.debug("plain SQLite counts unavailable (%s); using SQLAlchemy", exc)
        return None
    return counts
