"""A CLI search reuses a running ``scipix-search serve`` of its data folder, printing what a
search in its own process prints; ``--no-server`` and a stale discovery file search locally."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.e2e._live import ROOT, LiveServer, serve_sample_paper

pytestmark = [pytest.mark.model, pytest.mark.slow]

USED = "answered by the server at"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = serve_sample_paper(tmp_path_factory.mktemp("cli-serve") / "data", cli=True)
    yield live
    live.stop()


def _search(server: LiveServer, *args: str, key: bool = True) -> subprocess.CompletedProcess[str]:
    """``scipix-search --log-level INFO search ARGS`` in a fresh process of the server's folder,
    with the server's ``SCIPIX_API_KEYS`` (searches need a key where keys are set) or without."""
    env = {k: v for k, v in server.env.items() if key or k != "SCIPIX_API_KEYS"}
    return subprocess.run(
        [sys.executable, "-m", "scipix_search.cli", "--log-level", "INFO", "search", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "query",
    [
        ["--latex", "x^2+y^2=z^2", "-k", "3"],
        ["right triangle in the plane", "-k", "2"],
        ["energy of mass $E=mc^2$", "-k", "2"],
    ],
    ids=["latex", "text", "mixed"],
)
def test_search_through_serve_gives_what_a_local_search_gives(
    server: LiveServer, query: list[str]
) -> None:
    remote = _search(server, *query, "--json")
    local = _search(server, *query, "--json", "--no-server")
    assert remote.returncode == 0 and local.returncode == 0, remote.stderr + local.stderr
    assert USED in remote.stderr and USED not in local.stderr
    assert remote.stdout == local.stdout
    hits = json.loads(remote.stdout)["hits"]
    assert hits and all(h["authors"] == [] and "year" in h for h in hits)  # the paper has none
    # the lines are printed from the same hits by the same functions
    lines = _search(server, *query)
    assert lines.returncode == 0 and USED in lines.stderr
    assert hits[0]["source"] in lines.stdout.splitlines()[0]


def test_search_through_serve_prints_lines_as_locally(server: LiveServer) -> None:
    remote = _search(server, "--latex", "a^2+b^2=c^2", "-k", "2")
    local = _search(server, "--latex", "a^2+b^2=c^2", "-k", "2", "--no-server")
    assert USED in remote.stderr and remote.stdout == local.stdout and "c^{2}" in remote.stdout


def test_search_through_serve_reports_the_users_error_as_locally(server: LiveServer) -> None:
    remote = _search(server, "--latex", r"\frac{a}{")
    assert remote.returncode == 2, remote.stderr
    assert remote.stderr.strip().splitlines()[-1].startswith("error:")
    assert "Traceback" not in remote.stderr


def test_search_without_the_servers_key_searches_here(server: LiveServer) -> None:
    done = _search(server, "--latex", "a^2+b^2=c^2", "-k", "1", key=False)
    assert done.returncode == 0 and USED not in done.stderr
    assert "answered 401" in done.stderr and "WARNING" not in done.stderr
    assert "c^{2}" in done.stdout


def test_discovery_file_removed_at_stop_and_a_stale_one_ignored(server: LiveServer) -> None:
    """Runs last: it stops the module's server."""
    discovery = server.data_dir / "serve.json"
    record = json.loads(discovery.read_text())
    assert record["pid"] == server.proc.pid and server.url.endswith(f":{record['port']}")
    server.stop()
    assert not discovery.exists(), server.log_tail()
    # a file left by a killed server names a process that is gone
    discovery.write_text(json.dumps(record))
    done = _search(server, "--latex", "a^2+b^2=c^2", "-k", "1")
    assert done.returncode == 0 and "is gone" in done.stderr and USED not in done.stderr
    assert "c^{2}" in done.stdout
