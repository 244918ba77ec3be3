"""The command line: flags become one Settings (over the environment), never os.environ."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scipix_search.cli import build_parser, main
from scipix_search.cli._common import settings_from_args


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in [n for n in os.environ if n.startswith("SCIPIX_")]:
        monkeypatch.delenv(name)
    return monkeypatch


def test_global_flags_become_settings(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SCIPIX_DEVICE", "cuda")
    clean_env.setenv("SCIPIX_LOG_LEVEL", "DEBUG")
    args = build_parser().parse_args(
        [
            "--data-dir",
            str(tmp_path),
            "--device",
            "cpu",
            "--model-dir",
            str(tmp_path / "m"),
            "db",
            "current",
        ]
    )
    settings = settings_from_args(args)
    assert settings.data_dir == tmp_path and settings.model_dir == tmp_path / "m"
    assert settings.device == "cpu"  # the flag wins over SCIPIX_DEVICE
    assert settings.log_level == "DEBUG"  # no flag: the environment's value


def test_main_uses_the_flags_without_writing_the_environment(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "store"
    before = {k: v for k, v in os.environ.items() if k.startswith("SCIPIX_")}
    assert main(["--data-dir", str(data), "db", "upgrade"]) == 0
    assert "database revision:" in capsys.readouterr().out
    assert (data / "scipix.db").is_file()
    assert {k: v for k, v in os.environ.items() if k.startswith("SCIPIX_")} == before


def test_main_bad_setting_is_a_clear_error(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--device", "gpu", "db", "current"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: invalid settings: device [SCIPIX_DEVICE]")
    assert "Traceback" not in err
    clean_env.setenv("SCIPIX_MAX_PAGES", "0")
    assert main(["db", "current"]) == 2
    assert "max_pages [SCIPIX_MAX_PAGES]" in capsys.readouterr().err


def test_help_names_the_variable_behind_each_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for envvar in ("SCIPIX_DATA_DIR", "SCIPIX_DATABASE_URL", "SCIPIX_MODEL_DIR", "SCIPIX_DEVICE"):
        assert f"[env: {envvar}]" in out
    for command, envvars in {
        "worker": ["SCIPIX_WORKER_LEASE_S", "SCIPIX_WORKER_MAX_ATTEMPTS"],
        "serve": ["SCIPIX_API_KEYS", "SCIPIX_EMBEDDED_WORKER=false"],
        "ocr": ["SCIPIX_OCR_SCALE_VOTES"],
    }.items():
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = " ".join(capsys.readouterr().out.split())
        assert all(f"[env: {envvar}]" in out for envvar in envvars), (command, out)


def test_command_flags_become_settings(clean_env: pytest.MonkeyPatch) -> None:
    parser = build_parser()
    worker = settings_from_args(
        parser.parse_args(["worker", "--lease", "7.5", "--max-attempts", "5", "--burst"])
    )
    assert (worker.worker_lease_s, worker.worker_max_attempts) == (7.5, 5)
    assert worker.worker_poll_s == 1.0  # not given: the default
    serve = settings_from_args(
        parser.parse_args(["serve", "--no-worker", "--api-keys", "k1,k2", "--request-timeout", "5"])
    )
    assert serve.embedded_worker is False and serve.keys == {"k1", "k2"}
    assert serve.request_timeout_s == 5.0 and serve.require_key_for_reads is False
    assert settings_from_args(parser.parse_args(["serve"])).embedded_worker is True
    ocr = settings_from_args(parser.parse_args(["ocr", "--scale-votes", "3", "f.png"]))
    assert ocr.ocr_scale_votes == 3


def test_stats_on_a_fresh_data_dir(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "fresh"
    assert main(["--data-dir", str(data), "--device", "cpu", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["database"]["documents"] == 0
    assert stats["indexes"]["passages"] == {
        "vectors": 0,
        "db_vectors": 0,
        "in_sync": True,
        "encoder": None,  # no index saved yet (and no model loaded to name one)
    }
    assert (data / "scipix.db").is_file()


def test_cli_process_skips_the_pymupdf_layout_model(tmp_path: Path) -> None:
    """A CLI process reads PDFs without PyMuPDF's layout model (~1.3 s of ONNX sessions)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from scipix_search.cli import main\n"
        "assert main(['--data-dir', sys.argv[1], 'stats', '--json']) == 0\n"
        "import pymupdf\n"
        "print('layout:', pymupdf._get_layout)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().endswith("layout: None"), done.stdout + done.stderr
