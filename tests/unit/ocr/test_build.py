"""When a built formula model counts as current (no export, no model)."""

from __future__ import annotations

import json
from pathlib import Path

from scipix_search.ocr._build import FORMAT_VERSION, WEIGHTS_SHA256, _is_current, sha256_file


def _write_build(folder: Path, fmt: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "decoder.onnx").write_bytes(b"graph")
    manifest = {
        "format": fmt,
        "weights_sha256": WEIGHTS_SHA256,
        "files": {"decoder.onnx": {"sha256": sha256_file(folder / "decoder.onnx"), "bytes": 5}},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_is_current_accepts_this_format(tmp_path: Path) -> None:
    _write_build(tmp_path, FORMAT_VERSION)
    assert _is_current(tmp_path)


def test_is_current_rejects_older_export(tmp_path: Path) -> None:
    # A build from before the fused-attention export must be rebuilt, not reused.
    _write_build(tmp_path, FORMAT_VERSION - 1)
    assert not _is_current(tmp_path)


def test_is_current_rejects_changed_file(tmp_path: Path) -> None:
    _write_build(tmp_path, FORMAT_VERSION)
    (tmp_path / "decoder.onnx").write_bytes(b"other")
    assert not _is_current(tmp_path)
