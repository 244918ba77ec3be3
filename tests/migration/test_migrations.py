"""Migrations build the schema on SQLite and PostgreSQL, and match the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from scipix_search.store import Base, get_engine, upgrade_database


def test_migrations_upgrade_head_and_match_models(db_settings):
    upgrade_database(db_settings)
    engine = get_engine(db_settings)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, *a: not (name or "").startswith("passages_fts"),
            },
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    tables = set(inspect(engine).get_table_names())
    assert {"documents", "pages", "passages", "equations", "jobs"} <= tables


def test_migrations_upgrade_is_idempotent(db_settings):
    upgrade_database(db_settings)
    upgrade_database(db_settings)


def test_migrations_downgrade_to_base_and_up_again(db_settings):
    from alembic import command

    from scipix_search.store._db import alembic_config

    upgrade_database(db_settings)
    engine = get_engine(db_settings)
    for target in ("0001", "base", "head"):
        cfg = alembic_config(db_settings)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            if target == "head":
                command.upgrade(cfg, target)
            else:
                command.downgrade(cfg, target)
        columns = (
            {c["name"] for c in inspect(engine).get_columns("jobs")} if target != "base" else set()
        )
        assert ("active_sha256" in columns) == (target == "head")
    assert "stored_file" in {c["name"] for c in inspect(engine).get_columns("documents")}
