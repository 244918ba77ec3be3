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


def test_migration_0003_adds_paper_metadata_and_drops_it_again(db_settings):
    """0003's columns are nullable and empty for rows stored before it (nothing is
    backfilled that needs the original parsed again); downgrading to 0002 removes them and
    keeps the rows."""
    from alembic import command
    from sqlalchemy import text

    from scipix_search.store._db import alembic_config

    engine = get_engine(db_settings)
    added = {"authors", "year", "abstract", "arxiv_id", "doi", "duplicate_of"}

    def migrate(target: str, up: bool) -> None:
        cfg = alembic_config(db_settings)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            (command.upgrade if up else command.downgrade)(cfg, target)

    migrate("0002", up=True)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO documents (sha256, source, kind, title, page_count, created_at) "
                "VALUES ('ab', 'old.pdf', 'pdf', 'An Old Paper', 1, CURRENT_TIMESTAMP)"
            )
        )
    migrate("0003", up=True)
    columns = {c["name"]: c for c in inspect(engine).get_columns("documents")}
    assert added <= set(columns) and all(columns[name]["nullable"] for name in added)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT title, authors, year, duplicate_of FROM documents")).one()
    assert tuple(row) == ("An Old Paper", None, None, None)
    migrate("0002", up=False)
    assert not added & {c["name"] for c in inspect(engine).get_columns("documents")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM documents")).scalar() == 1
