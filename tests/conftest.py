"""Shared fixtures: paths to the real data in ../shared, fresh settings per test, databases."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from scipix_search.config import Settings, get_settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DIR = Path(os.environ.get("SCIPIX_SHARED_DIR", ROOT.parent / "shared")).resolve()
POSTGRES_URL = os.environ.get("SCIPIX_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The real data folder (../shared/data); tests that need it skip where it is absent."""
    data = SHARED_DIR / "data"
    if not data.is_dir():
        pytest.skip(f"shared data not found at {data} (set SCIPIX_SHARED_DIR)")
    return data


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings pointing at a fresh data folder (SQLite), also returned by get_settings()."""
    monkeypatch.setenv("SCIPIX_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SCIPIX_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def postgres_url_or_skip() -> str:
    """The test PostgreSQL URL; in CI a missing server is a failure, not a skip."""
    if POSTGRES_URL:
        return POSTGRES_URL
    if IN_CI:
        pytest.fail("CI must provide PostgreSQL: SCIPIX_TEST_POSTGRES_URL is not set")
    pytest.skip("SCIPIX_TEST_POSTGRES_URL not set")


def _fresh_postgres_url(base_url: str) -> str:
    """Create an empty database on the test server and return its URL."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"scipix_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_settings(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings on SQLite and on PostgreSQL (a fresh database per test)."""
    from scipix_search.config import Settings as _Settings
    from scipix_search.store import dispose_engines

    monkeypatch.setenv("SCIPIX_DATA_DIR", str(tmp_path / "data"))
    if request.param == "postgres":
        monkeypatch.setenv("SCIPIX_DATABASE_URL", _fresh_postgres_url(postgres_url_or_skip()))
    else:
        monkeypatch.delenv("SCIPIX_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield _Settings()
    dispose_engines()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def text_encoder():
    """The real passage encoder (ONNX), exported once into the default model folder."""
    from scipix_search.embed import TextEncoder

    return TextEncoder.from_model_dir(Settings().model_dir, device="cpu")
