"""``python -m scipix_search.worker`` and ``serve``: their flags reach the objects they start."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from scipix_search.cli import build_parser, main
from scipix_search.cli import worker as worker_cli


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in [n for n in os.environ if n.startswith("SCIPIX_")]:
        monkeypatch.delenv(name)
    return monkeypatch


def test_worker_entry_takes_global_and_worker_flags(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(args: Any) -> int:  # the loop itself is tested in tests/unit/worker
        seen["settings"], seen["burst"] = args.settings, args.burst
        return 0

    clean_env.setattr(worker_cli, "run", fake_run)
    argv = ["--data-dir", str(tmp_path), "--poll", "0.5", "--backoff", "2", "--burst"]
    assert worker_cli.main(argv) == 0
    settings = seen["settings"]
    assert settings.data_dir == tmp_path
    assert (settings.worker_poll_s, settings.worker_backoff_s) == (0.5, 2.0)
    assert seen["burst"] is True


def test_worker_entry_refuses_bad_values(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        worker_cli.main(["--lease", "0"])
    assert done.value.code == 2
    assert "worker_lease_s [SCIPIX_WORKER_LEASE_S]" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        worker_cli.main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "[env: SCIPIX_DATA_DIR]" in out and "[env: SCIPIX_WORKER_POLL_S]" in out


def test_serve_builds_the_app_from_its_flags(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fastapi")
    import uvicorn

    from scipix_search.api.testing import free_port

    port = free_port()  # serve binds it
    served: dict[str, Any] = {}

    # the server's run is replaced: the app, its port and the socket serve binds are recorded
    def run(server: uvicorn.Server, sockets: list[Any] | None = None) -> None:
        served.update(app=server.config.app, port=server.config.port, sockets=sockets or [])

    clean_env.setattr(uvicorn.Server, "run", run)
    argv = [
        "--data-dir",
        str(tmp_path),
        "serve",
        "--port",
        str(port),
        "--no-worker",
        "--api-keys",
        "k",
    ]
    assert main(argv) == 0
    settings = served["app"].state.services.settings
    assert settings.data_dir == tmp_path and settings.keys == {"k"}
    assert settings.embedded_worker is False and served["port"] == port
    assert [sock.getsockname()[1] for sock in served["sockets"]] == [port]
    for sock in served["sockets"]:
        sock.close()
    assert build_parser().parse_args(["serve"]).port == 8000
