"""One settings object for the whole package, read from ``SCIPIX_*`` environment variables.

Only entry points read the environment: the CLI builds a :class:`Settings` from its flags (over
the environment), ``create_app()`` and Alembic's ``env.py`` fall back to :func:`get_settings`
(cached; tests call ``get_settings.cache_clear()``). Everything else is given its settings, or
the plain values it needs (a recognizer's ``from_settings`` takes them from a ``Settings``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Device = Literal["auto", "cpu", "cuda"]
IndexKind = Literal["auto", "flat", "ivf", "ivf-sq8", "ivf-fp16", "ivf-pq"]


def default_model_dir() -> Path:
    """``~/.cache/scipix-search/models``: where ``scipix-search models build`` writes."""
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
        default_factory=default_model_dir,
        description="Folder for exported ONNX models (built once from pinned packages)",
    )
    device: Device = Field(default="auto", description="auto, cpu or cuda")
    ocr_device: Device | None = Field(
        default=None,
        description="the formula OCR's own device; unset, it follows `device`. On a lent H200 "
        "the formula OCR ran 1.6x faster on the machine's 16 CPU cores than on the GPU, while "
        "passages embedded 10x faster on the GPU (models/README.md): `device=auto` with "
        "`ocr_device=cpu` takes both",
    )
    embed_batch_size: int = Field(default=64, ge=1, description="texts a run on a GPU")
    text_precision: Literal["int8", "fp32"] = Field(
        default="int8",
        description="passage encoder on a CPU: int8 (every weight MatMul quantised, built once "
        "from the fp32 export; about half the CPU a passage of fp32, MRR within 0.005 of fp32 on each half "
        "of the real papers' known-item queries, models/README.md) or fp32",
    )
    text_max_tokens: int = Field(
        default=192,
        ge=8,
        le=512,
        description="passage encoder window: a passage (or query) is cut after this many word "
        "pieces, [CLS] and [SEP] included (the export's own limit is 256, its position table "
        "512). 192 cuts 4% of the real papers' passages for about 3% less encoder CPU with MRR "
        "within 0.002 of 256 on each half of the known-item queries; 128 saves 14% of the "
        "encoder's CPU but costs half b 0.013 MRR (docs/throughput.md, eighth cut)",
    )
    max_file_bytes: int = Field(default=200 * 1024 * 1024, ge=1)
    max_pages: int = Field(default=2000, ge=1)
    max_image_pixels: int = Field(default=40_000_000, ge=1)
    log_level: str = Field(default="INFO")
    ocr_scale_votes: Literal[1, 3] = Field(
        default=1,
        description="formula OCR reads per image: 1 (fast), or 3 neighbouring scales with a "
        "majority vote (about 2.4x the time, more exact reads)",
    )
    ocr_doubt_below: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description="formula OCR: a read whose least sure token is under this probability is "
        "read again at neighbouring scales (lower is faster, 0 never re-reads; see "
        "benchmarks/formula_ocr.py --doubt)",
    )
    ocr_scan_doubt_below: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description="the same threshold for the crops of page scans and page images "
        "(ingested scans, `ocr PAGE.png`); born-digital crops and formula screenshots keep "
        "ocr_doubt_below. Lower is faster on scans (0.3: formula OCR about a third of its "
        "CPU), but 0.3 cost held-out paper@1 0.784 -> 0.739 with dev unchanged "
        "(docs/scans.md, scanspeed4; benchmarks/scan_read.py --doubt)",
    )
    text_ocr: Literal["rapidocr", "tesseract"] = Field(
        default="rapidocr",
        description="text OCR of scanned pages and page images: rapidocr (the rapidocr wheel; "
        "~10 s CPU a 200-dpi page) or tesseract (Debian's tesseract-ocr 5 with "
        "tesseract-ocr-eng: ~1.5 s CPU a page, but 1-2 points more CER and fewer displays "
        "found on scans; see docs/scans.md). A missing engine is an error, never "
        "replaced by the other",
    )
    text_ocr_cjk: bool = Field(
        default=False,
        description="RapidOCR reads CJK ideographs, kana and hangul too (scans of Chinese, "
        "Japanese or Korean papers); off, those 16,000 classes are cut from its recognizer, "
        "a sixth of its time, with no line of the measured Latin-script scans read otherwise",
    )
    text_ocr_precision: Literal["int8", "fp32"] = Field(
        default="int8",
        description="RapidOCR's line recognizer on the CPU: int8 (its 19 large pointwise "
        "convolutions quantised, built once by `scipix-search models build`; 0.6 of the float "
        "recognizer's CPU, scan CER within 0.002 of float, docs/scans.md) or fp32 (the "
        "wheel's model). int8 not built is an error that says so, never a silent fp32",
    )
    layout_min_confidence: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="formula detection on page images: layout regions (equations, text, "
        "figures ...) scored below this are dropped",
    )
    pdf_equation_ocr: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="read PDF display equations with the formula OCR model: on, off, or auto "
        "(on when the model is built; otherwise the text-layer LaTeX, with a warning)",
    )

    # -- API server and ingestion worker -------------------------------------------------
    api_keys: str = Field(
        default="",
        description="Comma-separated API keys; empty disables key checks (local use only)",
    )
    require_key_for_reads: bool = Field(
        default=False, description="Require an API key on every endpoint, reads included"
    )
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1, description="Upload size limit")
    request_timeout_s: float = Field(
        default=60.0, gt=0, description="Time limit of one search, OCR or render request"
    )
    embedded_worker: bool = Field(
        default=True, description="Run one ingestion worker thread inside `serve`"
    )
    index_refresh_s: float = Field(
        default=1.0,
        ge=0,
        description="How often an API process whose workers write only to the database "
        "(worker_writes_index=false) catches its own indexes up from it; index files a worker "
        "saves in a shared folder are seen at the next search",
    )
    worker_writes_index: bool = Field(
        default=True,
        description="Workers add vectors to the FAISS index files of a data folder shared with "
        "the API (the embedded default). false: workers write only to the database and each "
        "API process keeps its own indexes, caught up from the database (several machines, "
        "one PostgreSQL, no shared folder)",
    )
    upload_storage: Literal["folder", "database"] = Field(
        default="folder",
        description="Where an upload waits for its worker: folder (data_dir/uploads, shared by "
        "the API and its workers) or database (in the job row, for workers on other machines)",
    )
    worker_lease_s: float = Field(
        default=60.0, gt=0, description="How long a claimed job stays locked without a heartbeat"
    )
    worker_poll_s: float = Field(default=1.0, gt=0, description="Idle wait between queue polls")
    worker_max_attempts: int = Field(default=3, ge=1, description="Attempts before a job fails")
    worker_backoff_s: float = Field(
        default=5.0, ge=0, description="First retry delay; doubles with every attempt"
    )
    # Rate limits, in the `limits` package's notation ("100/second;5000/hour"); empty is off.
    # On by default, high enough for one busy user and the load benchmark (57 req/s on two
    # cores), low enough that one client cannot keep the OCR model busy for everyone.
    rate_limit: str = Field(
        default="6000/minute",
        description="API requests per client (its API key, or its IP address without one); "
        "empty disables",
    )
    rate_limit_expensive: str = Field(
        default="120/minute",
        description="OCR, image search and upload requests per client; empty disables",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where the counters live: memory:// (per process) or a `limits` storage "
        "URI such as redis://host:6379 shared by several API processes",
    )

    # -- bounded work: what one hostile input may cost ------------------------------------
    job_timeout_s: float = Field(
        default=600.0,
        gt=0,
        description="Wall time of one ingestion job (and of one file of `ingest`); a job over "
        "it fails for good",
    )
    job_memory_mb: int = Field(
        default=4096,
        ge=64,
        description="Memory (RSS) of the process running one job; a job over it fails for good",
    )
    job_isolation: Literal["process", "thread"] = Field(
        default="process",
        description="process: jobs run in a supervised child process, killed at the budget; "
        "thread: in the worker itself, bounded only by the input caps",
    )
    max_formula_chars: int = Field(
        default=4000,
        ge=1,
        description="Longest formula LaTeX that is ingested (as for queries); longer ones are "
        "skipped with a reason in the log",
    )
    latex_max_macro_expansions: int = Field(
        default=20_000, ge=0, description="LaTeX sources: macro expansions per text"
    )
    latex_max_expansion_chars: int = Field(
        default=1_000_000,
        ge=0,
        description="LaTeX sources: characters macro expansion may add before the source is "
        "refused as corrupt (a macro that expands without bound)",
    )

    # -- vector indexes ---------------------------------------------------------------------
    formula_index: IndexKind = Field(
        default="auto",
        description="Equation index: flat (exact), ivf, ivf-sq8, ivf-fp16, ivf-pq, or auto "
        "(flat below index_approximate_from vectors, ivf from there, ivf-pq when trained for "
        "index_compress_from or more); applied when an add "
        "crosses the size or at `reindex`",
    )
    passage_index: IndexKind = Field(
        default="auto",
        description="Passage index, as formula_index (auto: ivf-sq8 when trained for "
        "index_compress_from or more)",
    )
    index_approximate_from: int = Field(
        default=50_000,
        ge=1,
        description="Vectors from which an index of a kind other than flat is approximate "
        "(below it search is exact)",
    )
    index_compress_from: int = Field(
        default=250_000,
        ge=1,
        description="Vectors from which an `auto` index is trained compressed, its shortlist "
        "re-scored exactly: equations as ivf-pq (64 bytes a vector instead of 4 KB; at 1M "
        "recall@10 0.990 against exact search in 85 MiB instead of 4 GB), passages as ivf-sq8 "
        "(384 bytes instead of 1.5 KB; ranks as ivf does); applied when the index is trained "
        "(`reindex`)",
    )
    index_nprobe: int = Field(
        default=128,
        ge=1,
        description="Inverted lists an approximate (IVF) equations index scans per query: more "
        "is slower and nearer exact (128 of 1,264 lists at 100k formulas: recall@10 0.98 "
        "against exact; see docs/ARCHITECTURE.md, Vector indexes)",
    )
    passage_nprobe: int = Field(
        default=256,
        ge=1,
        description="Inverted lists an approximate (IVF) passages index scans per query: at 1M "
        "passages (4,000 lists) recall@10 against exact 0.977 on held-out queries with 256, "
        "0.943 with 128 (docs/ARCHITECTURE.md, Passages at 1M)",
    )

    @field_validator("rate_limit", "rate_limit_expensive")
    @classmethod
    def _rate_limit_notation(cls, value: str) -> str:
        if value.strip():
            from limits import parse_many

            parse_many(value)  # ValueError on bad notation, reported at start-up
        return value.strip()

    @property
    def keys(self) -> frozenset[str]:
        """The configured API keys as a set (empty means no key is required)."""
        return frozenset(k.strip() for k in self.api_keys.split(",") if k.strip())

    @field_validator("ocr_scale_votes", mode="before")
    @classmethod
    def _votes_from_text(cls, value: object) -> object:
        # Environment variables are text, and a Literal of ints does not accept "3" as 3.
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

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
