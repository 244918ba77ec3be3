"""Settings: the SCIPIX_ environment, explicit overrides over it, and refused values."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from scipix_search.config import Settings, default_model_dir, get_settings


def test_settings_read_the_scipix_prefix_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCIPIX_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("SCIPIX_DEVICE", "cpu")
    monkeypatch.setenv("SCIPIX_WORKER_LEASE_S", "12.5")
    monkeypatch.setenv("SCIPIX_EMBEDDED_WORKER", "false")
    monkeypatch.setenv("MAX_PAGES", "7")  # no prefix: not ours
    monkeypatch.setenv("SCIPIX_NOT_A_FIELD", "x")  # unknown: ignored, not an error
    settings = Settings()
    assert settings.data_dir == tmp_path / "store"
    assert settings.device == "cpu"
    assert settings.worker_lease_s == 12.5
    assert settings.embedded_worker is False
    assert settings.max_pages == 2000


def test_settings_scale_votes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Environment values are text; "3" must mean 3 votes (a Literal of ints refused it).
    monkeypatch.setenv("SCIPIX_OCR_SCALE_VOTES", "3")
    assert Settings().ocr_scale_votes == 3
    monkeypatch.setenv("SCIPIX_OCR_SCALE_VOTES", "2")
    with pytest.raises(ValidationError, match="ocr_scale_votes"):
        Settings()


def test_settings_overrides_win_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCIPIX_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("SCIPIX_DEVICE", "cuda")
    settings = Settings(data_dir=tmp_path / "flag", device="cpu")
    assert (settings.data_dir, settings.device) == (tmp_path / "flag", "cpu")
    copy = settings.model_copy(update={"api_keys": "a, b,,"})
    assert copy.keys == frozenset({"a", "b"}) and settings.keys == frozenset()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("device", "gpu"),
        ("ocr_scale_votes", 2),
        ("ocr_doubt_below", 1.5),
        ("ocr_doubt_below", -0.1),
        ("ocr_scan_doubt_below", 1.5),
        ("ocr_scan_doubt_below", -0.1),
        ("max_pages", 0),
        ("embed_batch_size", 0),
        ("text_max_tokens", 4),
        ("text_max_tokens", 1024),
        ("worker_lease_s", 0),
        ("request_timeout_s", "soon"),
        ("pdf_equation_ocr", "maybe"),
    ],
)
def test_settings_refuse_bad_values(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(**{field: value})


def test_settings_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCIPIX_DATABASE_URL", raising=False)
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'scipix.db').resolve()}"
    assert settings.is_sqlite and settings.index_dir == tmp_path / "indexes"
    assert Settings(database_url="  ").database_url is None
    url = Settings(database_url="postgres://u:p@h/db").resolved_database_url
    assert url == "postgresql+psycopg://u:p@h/db"
    assert not Settings(database_url="postgresql://h/db").is_sqlite


def test_settings_default_model_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SCIPIX_MODEL_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_model_dir() == tmp_path / ".cache" / "scipix-search" / "models"
    assert Settings().model_dir == default_model_dir()


def test_get_settings_is_cached_until_cleared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCIPIX_DATA_DIR", str(tmp_path / "a"))
    get_settings.cache_clear()
    first = get_settings()
    monkeypatch.setenv("SCIPIX_DATA_DIR", str(tmp_path / "b"))
    assert get_settings() is first
    get_settings.cache_clear()
    assert get_settings().data_dir == tmp_path / "b"
    get_settings.cache_clear()
