"""Bad images (empty, 1x1, 30000x20, 20x30000, a damaged TIFF): a clear reason from the ``ocr``
command and from ingestion, before any model is loaded for them (issue 13)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from scipix_search.config import Settings
from scipix_search.pipeline import Indexer


def _image(size: tuple[int, int], fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, format=fmt)
    return buffer.getvalue()


_TIFF = _image((600, 800), "TIFF")
# (file name, bytes, words the one-line reason must hold)
BAD = [
    ("empty.png", b"", "empty"),
    ("one-pixel.png", _image((1, 1)), "1x1 pixels: too small"),
    ("strip.png", _image((30000, 20)), "30000x20 pixels: sides more than 100:1"),
    ("column.png", _image((20, 30000)), "20x30000 pixels: sides more than 100:1"),
    ("truncated.tif", _TIFF[: len(_TIFF) // 3], "cannot be decoded"),
    ("header-only.tif", b"II*\x00" + b"\x00" * 20, "TIFF header is damaged"),
]


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad-images")
    for name, data, _ in BAD:
        (folder / name).write_bytes(data)
    return folder


def test_ocr_command_gives_each_bad_image_its_reason(bad: Path, tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SCIPIX_")}
    environ["SCIPIX_DATA_DIR"] = str(tmp_path / "data")
    # a model directory with nothing in it: reaching a model would fail with another reason
    environ["SCIPIX_MODEL_DIR"] = str(tmp_path / "no-models")
    files = [str(bad / name) for name, _, _ in BAD]
    done = subprocess.run(
        [sys.executable, "-m", "scipix_search.cli", "ocr", "--format", "json", *files],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(r["file"]).name for r in records] == [name for name, _, _ in BAD]
    for record, (_, _, reason) in zip(records, BAD, strict=True):
        assert reason in record["error"], record
        assert "BytesIO" not in record["error"]


def test_ingestion_fails_each_bad_image_with_its_reason(bad: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", model_dir=tmp_path / "no-models")
    indexer = Indexer(settings)
    for name, _, reason in BAD:
        outcome = indexer.ingest_file(bad / name)
        assert outcome.status == "failed", (name, outcome)
        assert outcome.reason is not None and reason in outcome.reason, (name, outcome.reason)
