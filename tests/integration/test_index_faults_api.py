"""Damaged indexes meet the real CLI and the real API: after a kill of ``reindex`` or ``ingest`` at
each step of an index save, a deleted index, a corrupt one, or the old layout killed between its
two renames, the API starts, says it is ready, and finds the stored equation and passage; nobody
runs ``reindex``. An index that cannot be repaired makes ``/readyz`` answer 503 with the reason
while keyword search keeps answering.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from scipix_search.api import create_app
from scipix_search.api.testing import SAMPLE_PAPER_TEX
from scipix_search.cli.stats import collect_stats
from scipix_search.config import Settings
from scipix_search.store import KILL_AT_ENV, REBUILD_STEPS, SAVE_STEPS, dispose_engines

pytestmark = [pytest.mark.model, pytest.mark.slow]

GAUSS_TEX = rb"""\documentclass{article}
\begin{document}
\section{Electrostatics}
Gauss's law relates the divergence of the electric field to the density of charge.
\begin{equation}
\nabla\cdot\mathbf{E}=\frac{\rho}{\varepsilon_{0}}
\end{equation}
\end{document}
"""


def _cli(data_dir: Path, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCIPIX_")}
    env["SCIPIX_DATA_DIR"] = str(data_dir)
    if kill_at:
        env[KILL_AT_ENV] = kill_at
    return subprocess.run(
        [sys.executable, "-m", "scipix_search.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the three-equation paper, ingested by the CLI."""
    root = tmp_path_factory.mktemp("faults")
    paper = root / "triangles.tex"
    paper.write_bytes(SAMPLE_PAPER_TEX)
    done = _cli(root / "data", "ingest", str(paper))
    assert done.returncode == 0, done.stderr
    return root / "data"


@pytest.fixture
def data_dir(template: Path, tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "data"
    shutil.copytree(template, copy)
    yield copy
    dispose_engines()


def _serves(data_dir: Path, *, latex: str = "E=mc^{2}", words: str = "special relativity") -> None:
    """The API starts, is ready, and finds ``latex`` and a passage with ``words`` first."""
    settings = Settings(data_dir=data_dir, embedded_worker=False)
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["indexes"] == "ok"
        hits = client.post("/v1/search/equations", json={"latex": latex, "k": 1}).json()["data"]
        assert hits and hits[0]["latex"] == latex
        found = client.get("/v1/search/documents", params={"q": words, "mode": "dense", "k": 1})
        assert words in found.json()["data"][0]["text"]
    stats = collect_stats(settings)
    for kind, info in stats["indexes"].items():
        assert info["in_sync"] and info["vectors"] == info["db_vectors"] > 0, (kind, stats)


def _index_file(data_dir: Path, kind: str) -> Path:
    return next((data_dir / "indexes" / kind).glob("index-*.faiss"))


@pytest.mark.parametrize("step", [*REBUILD_STEPS, *SAVE_STEPS, "save:index-renamed#2"], ids=str)
def test_reindex_killed_at_each_step_then_the_api_serves(data_dir: Path, step: str) -> None:
    done = _cli(data_dir, "reindex", kill_at=step)
    assert done.returncode == -signal.SIGKILL, done.stderr
    _serves(data_dir)


@pytest.mark.parametrize(
    "step", ["store:rows-committed", "save:index-half-written", "save:manifest-written#2"], ids=str
)
def test_ingest_killed_after_its_rows_then_the_api_finds_the_new_paper(
    data_dir: Path, tmp_path: Path, step: str
) -> None:
    paper = tmp_path / "gauss.tex"
    paper.write_bytes(GAUSS_TEX)
    done = _cli(data_dir, "ingest", str(paper), kill_at=step)
    # Killed: the CLI itself, or the process it runs the job in (bounded work), which it reports
    died = done.returncode == 1 and "process died" in done.stderr
    assert done.returncode == -signal.SIGKILL or died, done.stderr
    _serves(data_dir, latex=r"\nabla\cdot\mathbf{E}=\frac{\rho}{\varepsilon_{0}}", words="Gauss")


@pytest.mark.parametrize("damage", ["deleted", "truncated", "garbage"])
def test_damaged_index_at_start_is_repaired_with_a_log_line(
    data_dir: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    for kind in ("passages", "equations"):
        path = _index_file(data_dir, kind)
        if damage == "deleted":
            shutil.rmtree(path.parent)
        elif damage == "truncated":
            path.write_bytes(path.read_bytes()[:100])
        else:
            path.write_bytes(os.urandom(path.stat().st_size))
    with caplog.at_level(logging.WARNING, logger="scipix_search.store"):
        _serves(data_dir)
    repaired = [r.getMessage() for r in caplog.records if "repaired" in r.getMessage()]
    assert len(repaired) == 2, repaired


def test_old_layout_killed_between_its_renames_is_repaired_at_start(data_dir: Path) -> None:
    """The defect of the issue: index.faiss renamed, then a kill before meta.json was."""
    import json

    import faiss
    import numpy as np

    directory = data_dir / "indexes" / "passages"
    path = _index_file(data_dir, "passages")
    index = faiss.deserialize_index(np.frombuffer(path.read_bytes(), dtype=np.uint8))
    manifest = json.loads((directory / "manifest.json").read_text())
    for child in directory.iterdir():
        child.unlink()
    faiss.write_index(index, str(directory / "index.faiss"))
    meta = {k: manifest[k] for k in ("dim", "metric", "encoder")}
    (directory / "meta.json").write_text(json.dumps({**meta, "count": 1, "version": 1}))
    _serves(data_dir)
    assert not (directory / "meta.json").exists()  # migrated to the manifest layout


def test_unrepairable_index_makes_readyz_503_and_keyword_search_still_answers(
    data_dir: Path, tmp_path: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a read-only tmpfs needs root (CI runs as root)")
    indexes = data_dir / "indexes"
    saved = tmp_path / "saved-indexes"
    shutil.copytree(indexes, saved)
    shutil.rmtree(indexes)
    indexes.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(indexes)], capture_output=True
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        shutil.copytree(saved, indexes, dirs_exist_ok=True)
        passages = _index_file(data_dir, "passages")
        passages.write_bytes(passages.read_bytes()[:64])
        subprocess.run(["mount", "-o", "remount,ro", str(indexes)], check=True)

        settings = Settings(data_dir=data_dir, embedded_worker=False)
        with TestClient(create_app(settings)) as client:
            ready = client.get("/readyz")
            assert ready.status_code == 503
            reason = ready.json()["checks"]["indexes"]
            assert "passages index" in reason and "read-only" in reason
            assert str(data_dir) not in reason  # no internal path to clients
            keyword = client.get(
                "/v1/search/documents", params={"q": "Pythagorean theorem", "mode": "keyword"}
            )
            assert keyword.status_code == 200
            assert "Pythagorean" in keyword.json()["data"][0]["text"]
            hits = client.post("/v1/search/equations", json={"latex": "E=mc^{2}"}).json()
            assert hits["data"][0]["latex"] == "E=mc^{2}"  # the equation index was intact
    finally:
        dispose_engines()
        subprocess.run(["umount", "-l", str(indexes)], check=False)
