"""Alembic environment: the URL comes from the settings, the target is the models' metadata."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from scipix_search.config import get_settings
from scipix_search.store.models import Base

config = context.config
target_metadata = Base.metadata

# Full-text search objects are created by hand in the migrations (FTS5 virtual tables and
# their shadow tables on SQLite); autogenerate must not try to drop them.
_FTS_PREFIX = "passages_fts"


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (name or "").startswith(_FTS_PREFIX)


def _url() -> str:
    settings = config.attributes.get("settings") or get_settings()
    return settings.resolved_database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        include_object=include_object,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    connectable = engine_from_config(
        {"sqlalchemy.url": _url()}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as conn:
        _run(conn)
        conn.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
