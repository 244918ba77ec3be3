"""The schema check that spares each CLI process an Alembic import agrees with Alembic."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from scipix_search.config import Settings
from scipix_search.store import current_revision, dispose_engines, ensure_database
from scipix_search.store._db import alembic_config
from scipix_search.store._revision import plain_head


def test_plain_head_is_alembics_head(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    settings = Settings(data_dir=tmp_path)
    head = ScriptDirectory.from_config(alembic_config(settings)).get_current_head()
    assert plain_head() == head


def test_ensure_database_migrates_a_fresh_store_then_skips(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    try:
        ensure_database(settings)
        assert current_revision(settings) == plain_head()
        dispose_engines()  # a new process: the head is checked again, without migrating
        ensure_database(settings)
        assert current_revision(settings) == plain_head()
    finally:
        dispose_engines()


def test_sessions_follow_the_current_engine(tmp_path: Path) -> None:
    """The cached session factory is per engine: after dispose_engines a session is bound to
    the new engine, and what one session commits the next one reads."""
    from sqlalchemy import text

    from scipix_search.store import session_scope
    from scipix_search.store._db import get_engine

    settings = Settings(data_dir=tmp_path / "data")
    try:
        with session_scope(settings) as session:
            first = session.get_bind()
            session.execute(text("CREATE TABLE probe (n INTEGER)"))
            session.execute(text("INSERT INTO probe VALUES (7)"))
        with session_scope(settings) as session:
            assert session.get_bind() is first
            assert session.execute(text("SELECT n FROM probe")).scalar_one() == 7
        dispose_engines()
        with session_scope(settings) as session:
            assert session.get_bind() is get_engine(settings)
            assert session.get_bind() is not first
            assert session.execute(text("SELECT n FROM probe")).scalar_one() == 7
    finally:
        dispose_engines()


def test_processes_started_together_on_a_new_sqlite_store_migrate_once(tmp_path: Path) -> None:
    """Four fresh processes open one new data folder at once (``ingest --jobs``, ``serve``
    beside a worker): each finds no schema, and without a lock two of them created the
    tables ("table documents already exists"); the first connections also switch the new file
    to WAL, which answers "database is locked" at once while another does it."""
    data = tmp_path / "data"
    code = (
        "import sys, time\n"
        "from scipix_search.config import Settings\n"
        "from scipix_search.store import ensure_database\n"
        "while time.time() < float(sys.argv[1]): time.sleep(0.001)\n"  # start together
        f"ensure_database(Settings(data_dir={str(data)!r}))\n"
    )
    start = str(time.time() + 3)
    procs = [
        subprocess.Popen([sys.executable, "-c", code, start], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    try:
        assert current_revision(Settings(data_dir=data)) == plain_head()
    finally:
        dispose_engines()
