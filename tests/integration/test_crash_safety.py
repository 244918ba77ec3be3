"""SIGKILL the ingest process mid-folder; a re-run completes it with no duplicates."""

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.factories import LOREM, write_pdf

pytestmark = [pytest.mark.model, pytest.mark.slow]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "scipix_search.cli", *args]


def test_ingest_killed_midway_then_rerun_completes(settings, text_encoder, tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    n_files = 25
    for i in range(n_files):
        pages = [[f"{LOREM} Paper {i} page {p} paragraph {j}." for j in range(4)] for p in range(3)]
        write_pdf(folder / f"paper_{i:02d}.pdf", pages, title=f"Paper number {i}")
    env = {**os.environ, "SCIPIX_DATA_DIR": str(settings.data_dir)}

    proc = subprocess.Popen(
        _cli("ingest", "--json", str(folder)), stdout=subprocess.PIPE, env=env, text=True
    )
    assert proc.stdout is not None
    for seen, _line in enumerate(proc.stdout, start=1):
        if seen == 3:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    done = subprocess.run(
        _cli("ingest", "--json", str(folder)), capture_output=True, env=env, text=True, check=True
    )
    outcomes = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(outcomes) == n_files
    assert all(o["status"] in ("added", "present") for o in outcomes)
    assert sum(o["status"] == "present" for o in outcomes) >= 3

    stats = json.loads(
        subprocess.run(
            _cli("stats", "--json"), capture_output=True, env=env, text=True, check=True
        ).stdout
    )
    assert stats["database"]["documents"] == n_files
    assert stats["indexes"]["passages"]["in_sync"]
    assert stats["indexes"]["passages"]["vectors"] == stats["database"]["passages"]
