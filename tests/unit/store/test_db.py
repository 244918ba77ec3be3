"""The schema check that spares each CLI process an Alembic import agrees with Alembic."""

from __future__ import annotations

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
