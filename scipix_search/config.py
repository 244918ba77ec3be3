"""One settings object for the whole package, read from ``SCIPIX_*`` environment variables.

Use :func:`get_settings` (cached) rather than a module-level instance, so that the CLI, the API,
the worker and the tests can each build their own (tests call ``get_settings.cache_clear()``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Device = Literal["auto", "cpu", "cuda"]


def _default_model_dir() -> Path:
    return Path.home() / ".cache" / "scipix-search" / "models"


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``SCIPIX_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="SCIPIX_", extra="ignore")

    data_dir: Path = Field(default=Path("./scipix-data"), description="Folder holding the store")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default is an SQLite file inside the data dir. "
        "A postgresql+psycopg:// URL selects PostgreSQL.",
    )
    model_dir: Path = Field(
        default_factory=_default_model_dir,
        description="Folder for exported ONNX models (built once from pinned packages)",
    )
    device: Device = Field(default="auto", description="auto, cpu or cuda")
    embed_batch_size: int = Field(default=64, ge=1)
    max_file_bytes: int = Field(default=200 * 1024 * 1024, ge=1)
    max_pages: int = Field(default=2000, ge=1)
    max_image_pixels: int = Field(default=40_000_000, ge=1)
    log_level: str = Field(default="INFO")
    pdf_equation_ocr: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="read PDF display equations with the formula OCR model: on, off, or auto "
        "(on when the model is built; otherwise the text-layer LaTeX, with a warning)",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_dsn(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        # Plain postgres:// URLs (as Heroku/docker print them) mean the psycopg 3 driver here.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to ``sqlite:///<data_dir>/scipix.db``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'scipix.db').resolve()}"

    @property
    def index_dir(self) -> Path:
        """Folder of the FAISS indexes, one sub-folder per kind."""
        return self.data_dir / "indexes"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached; clear with ``get_settings.cache_clear()``)."""
    return Settings()
