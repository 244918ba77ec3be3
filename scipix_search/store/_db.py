"""Engines, sessions and schema migrations for SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from scipix_search.config import Settings
from scipix_search.exceptions import ConfigError, StoreError
from scipix_search.store._revision import MIGRATIONS_DIR, plain_head

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

_ENGINES: dict[str, Engine] = {}
_AT_HEAD: set[str] = set()  # URLs already checked to be at the head revision in this process
_LOCK = threading.Lock()
# One session factory per engine: building a sessionmaker sets up its class's event dispatch,
# which cost more than the query itself (~5 ms of a ~14 ms three-row lookup under load), and
# a search opens several sessions.
_FACTORIES: dict[Engine, sessionmaker[Session]] = {}
#: PostgreSQL advisory lock key of schema migrations (any constant no other lock uses).
_MIGRATION_LOCK = 0x5C1F1C5


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys make ON DELETE CASCADE work; WAL lets readers run beside one writer;
    # busy_timeout makes concurrent local processes wait for the write lock instead of failing.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    _journal_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _journal_wal(cursor: Any, wait_s: float = 30.0) -> None:
    """Switch a new database file to WAL, waiting while another process does the same.

    The switch needs the file to itself and answers "database is locked" at once, without the
    busy handler, when another connection holds it: processes opening a new store together
    (``ingest --jobs``, ``serve`` beside a worker) failed there (2 of 60 in a test of four
    processes at once). Once a file is in WAL mode the switch is a no-op.
    """
    import sqlite3
    import time

    deadline = time.monotonic() + wait_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def get_engine(settings: Settings) -> Engine:
    """Return the (cached) engine for the settings' database URL, creating folders as needed."""
    url = settings.resolved_database_url
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is not None:
            return engine
        if url.startswith("sqlite"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        elif url.startswith("postgresql"):
            engine = create_engine(url, pool_pre_ping=True)
        else:
            raise ConfigError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")
        _ENGINES[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every cached engine (tests and forked workers call this)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
        _FACTORIES.clear()
        _AT_HEAD.clear()


def alembic_config(settings: Settings) -> Config:
    """An Alembic Config pointing at ``migrations/`` and the settings' database."""
    from alembic.config import Config

    if not MIGRATIONS_DIR.is_dir():
        raise ConfigError(f"migrations folder not found at {MIGRATIONS_DIR}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", settings.resolved_database_url.replace("%", "%%"))
    cfg.attributes["settings"] = settings
    return cfg


def upgrade_database(settings: Settings, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision``."""
    from alembic import command

    engine = get_engine(settings)
    cfg = alembic_config(settings)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Processes on several machines starting on a new database all migrate: one at a
            # time (the others then find it at head); held until this transaction ends.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
    logger.info("database at revision %s", revision)


def current_revision(settings: Settings) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with get_engine(settings).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _recorded_revision(engine: Engine) -> str | None:
    """The revision in ``alembic_version`` (plain SQL), or None when there is none or no table."""
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return str(rows[0][0]) if len(rows) == 1 else None


def ensure_database(settings: Settings) -> Engine:
    """Return an engine whose schema is at head, migrating on first use."""
    engine = get_engine(settings)
    url = settings.resolved_database_url
    if url in _AT_HEAD:
        return engine
    head = plain_head()
    if head is not None and _recorded_revision(engine) == head:
        _AT_HEAD.add(url)  # the common case, answered without importing Alembic
        return engine
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(settings)).get_current_head()
    with _sqlite_migration_lock(engine):
        # read under the lock: another process may have migrated while this one waited
        current = current_revision(settings)
        if current != head:
            if current is None and inspect(engine).has_table("documents"):
                raise StoreError("database has tables but no Alembic revision; refusing to migrate")
            upgrade_database(settings)
    _AT_HEAD.add(url)
    return engine


@contextmanager
def _sqlite_migration_lock(engine: Engine) -> Iterator[None]:
    """One process at a time migrates a SQLite file (PostgreSQL has its advisory lock).

    Processes started together on a new data folder (``ingest --jobs``, ``serve`` beside a
    worker) each found no schema and each created the tables: the second failed with "table
    documents already exists". The lock is a file beside the database; where it cannot be
    created (a read-only folder) the migration runs unlocked and fails there with its reason.
    """
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    from pathlib import Path

    from scipix_search.store._files import locked

    path = Path(database)
    try:
        handle = open(path.with_name(path.name + ".migrate.lock"), "a+")  # noqa: SIM115
    except OSError:
        yield
        return
    with locked(handle):
        yield


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    engine = ensure_database(settings)
    with _LOCK:
        factory = _FACTORIES.get(engine)
        if factory is None:
            factory = _FACTORIES[engine] = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
