"""Index faults on real processes and real file systems: a SIGKILL at each step of an index save
and of a rebuild, a full disk, a read-only store. Afterwards the store opens as usual and agrees
with its database, without a manual ``reindex``.

The kills are real: a subprocess runs with ``SCIPIX_TEST_KILL_AT=<step>`` and SIGKILLs itself at
that step (``scipix_search.store.SAVE_STEPS`` ...), mid-write included. The full disk and the
read-only store are tmpfs mounts (we run as root in CI; elsewhere those tests skip, saying why).
The API and CLI checks are in ``test_index_faults_api.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scipix_search.cli.stats import collect_stats
from scipix_search.config import Settings
from scipix_search.exceptions import ReadOnlyStoreError, StorageFullError
from scipix_search.store import (
    ADD_STEPS,
    DELTA_STEPS,
    KILL_AT_ENV,
    REBUILD_STEPS,
    SAVE_STEPS,
    IndexSpec,
    Store,
    VectorIndex,
    dispose_engines,
    repo,
)
from tests.factories import parsed_document, random_unit_vectors

ROOT = Path(__file__).resolve().parents[2]
SPECS = (IndexSpec("passages", "test-text", 8), IndexSpec("equations", "test-formula", 4))

# One more document, or a rebuild of both indexes, in a process of its own (what the CLI does).
_CHILD = """
import sys
from pathlib import Path
from scipix_search.config import Settings
from scipix_search.store import Store
from tests.integration.test_index_faults import SPECS, add_document
store = Store(Settings(data_dir=Path(sys.argv[1])))
if sys.argv[2] == "rebuild":
    for spec in SPECS:
        store.rebuild(spec)
else:
    add_document(store, int(sys.argv[2]))
"""


def add_document(store: Store, seed: int) -> int | None:
    """A document of 3 passages and 2 equations, each with its own vector."""
    from scipix_search.ingest import ParsedEquation

    parsed = parsed_document(f"doc{seed}.pdf", passages=3, seed=seed)
    parsed.equations = [
        ParsedEquation(
            latex=f"x_{{{seed}}}^{i}", page=1, bbox=None, display=True, origin="tex", order=i
        )
        for i in range(2)
    ]
    extras = [
        repo.EquationExtras(e.latex, None, random_unit_vectors(1, 4, seed=1000 * seed + i)[0])
        for i, e in enumerate(parsed.equations)
    ]
    return store.add_document(
        parsed,
        passage_vectors=random_unit_vectors(3, 8, seed=seed),
        equation_extras=extras,
        passage_spec=SPECS[0],
        equation_spec=SPECS[1],
    )


def _run_child(data_dir: Path, what: str, kill_at: str | None) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(KILL_AT_ENV, None)
    if kill_at:
        env[KILL_AT_ENV] = kill_at
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data_dir), what],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, -signal.SIGKILL), done.stderr
    return done.returncode


def _on_disk(settings: Settings) -> dict[str, list[int]]:
    """The ids of each index as saved, read without the store's repair: raises on a mix."""
    return {
        spec.kind: sorted(
            VectorIndex.open(settings.index_dir / spec.kind, dim=spec.dim, encoder=spec.encoder)
            .ids()
            .tolist()
        )
        for spec in SPECS
    }


def assert_old_or_new(settings: Settings, before: dict[str, list[int]]) -> None:
    """What a reader sees after the kill is the state before the save or after it, never a mix."""
    after = _on_disk(settings)
    with Store(settings).session() as session:
        for spec in SPECS:
            db = sorted(repo.vector_ids(session=session, kind=spec.kind).tolist())
            assert after[spec.kind] in (before[spec.kind], db), spec.kind


def assert_consistent(settings: Settings, *, deltas: bool = False) -> None:
    """Each index holds exactly the database's vectors, each finds itself, nothing is left over
    (``deltas``: beside its generation, the folder may hold the delta files its manifest names)."""
    store = Store(settings)
    for spec in SPECS:
        index = store.open_index(spec)
        with store.session() as session:
            db_ids = repo.vector_ids(session=session, kind=spec.kind)
            assert sorted(index.ids().tolist()) == sorted(db_ids.tolist())
            for ids, vectors in repo.iter_vectors(session=session, kind=spec.kind):
                assert index.search(vectors, k=1)[1][:, 0].tolist() == ids.tolist()
        names = sorted(p.name for p in store.index_dir(spec.kind).iterdir() if p.name != ".lock")
        if deltas:
            manifest = json.loads((store.index_dir(spec.kind) / "manifest.json").read_text())
            names = [n for n in names if n not in {d["file"] for d in manifest["deltas"]}]
        assert len(names) == 2 and names[1] == "manifest.json", names  # one generation, no temp
    assert store.index_problems == {}
    stats = collect_stats(settings)
    assert all(info["in_sync"] for info in stats["indexes"].values()), stats


@pytest.fixture
def seeded(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data")
    store = Store(settings)
    for seed in (1, 2):
        add_document(store, seed)
    return settings


@pytest.mark.slow
@pytest.mark.parametrize(
    "step", [*ADD_STEPS, *SAVE_STEPS, *(f"{s}#2" for s in SAVE_STEPS)], ids=lambda s: s
)
def test_ingestion_killed_at_each_step_of_its_saves_heals_at_next_open(
    seeded: Settings, step: str
) -> None:
    before = _on_disk(seeded)
    assert _run_child(seeded.data_dir, "3", step) == -signal.SIGKILL
    assert_old_or_new(seeded, before)
    assert_consistent(seeded)
    with Store(seeded).session() as session:
        # every step comes after the commit of the rows: the document is there, and searchable
        assert repo.count_rows(session=session)["documents"] == 3


@pytest.mark.slow
@pytest.mark.parametrize("step", [*DELTA_STEPS, *(f"{s}#2" for s in DELTA_STEPS)], ids=str)
def test_ingestion_killed_at_each_step_of_a_delta_heals_at_next_open(
    tmp_path: Path, step: str
) -> None:
    """Appended as deltas (the indexes hold enough vectors): a kill at any step of either
    index's delta leaves the state before or after it, and the next open agrees with the
    database."""
    settings = Settings(data_dir=tmp_path / "data")
    store = Store(settings)
    for seed in range(1, 7):
        add_document(store, seed)
    before = _on_disk(settings)
    assert _run_child(settings.data_dir, "7", step) == -signal.SIGKILL  # the step was reached
    assert_old_or_new(settings, before)
    assert_consistent(settings, deltas=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    "step", [*REBUILD_STEPS, *SAVE_STEPS, "rebuild:filled#2", "save:committed#2"], ids=str
)
def test_rebuild_killed_at_each_step_heals_at_next_open(seeded: Settings, step: str) -> None:
    # the database holds a document the indexes lack, as after a kill before a save
    with Store(seeded).session() as session:
        parsed = parsed_document("late.pdf", passages=2, seed=9)
        repo.add_document(
            session=session, parsed=parsed, passage_vectors=random_unit_vectors(2, 8, seed=9)
        )
    before = _on_disk(seeded)
    assert _run_child(seeded.data_dir, "rebuild", step) == -signal.SIGKILL
    assert_old_or_new(seeded, before)
    assert_consistent(seeded)


@pytest.mark.slow
def test_child_without_kill_runs_to_the_end(seeded: Settings) -> None:
    """The hook kills only when asked: the same child, unharmed, adds its document."""
    assert _run_child(seeded.data_dir, "3", None) == 0
    assert _run_child(seeded.data_dir, "rebuild", "no:such-step") == 0
    assert_consistent(seeded)


# -- file systems --------------------------------------------------------------------------------


@pytest.fixture
def tmpfs() -> Iterator[Callable[..., Path]]:
    """Mount a small tmpfs at a path (unmounted after the test); skip where we cannot mount."""
    mounted: list[Path] = []

    def mount(path: Path, size: str = "1m") -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a tmpfs needs root (CI runs as root)")
        path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(path)
        return path

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False)


def _remount_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)


def _fill(directory: Path) -> Path:
    """Write a file until the file system is full; return it (delete it to free the space)."""
    filler = directory / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


def test_full_disk_during_a_save_keeps_the_old_index_and_says_so(
    tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    tmpfs(settings.index_dir)  # the database stays on the roomy disk, the indexes fill up
    store = Store(settings)
    add_document(store, 1)
    before = store.open_index(SPECS[0]).ids().tolist()
    filler = _fill(settings.index_dir)

    with pytest.raises(StorageFullError, match="no space left"):
        add_document(store, 2)  # the rows are committed, the passage index cannot be

    directory = store.index_dir("passages")
    old = VectorIndex.open(directory, dim=8, encoder="test-text")
    assert old.ids().tolist() == before
    assert not [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]
    # the readers get the old index, and the reason it disagrees
    assert store.open_index(SPECS[0]).ids().tolist() == before
    problem = store.index_problems["passages"]
    assert "holds 3 vectors, the database 6" in problem and "no space left" in problem

    filler.unlink()
    assert_consistent(settings)


def test_read_only_data_folder_is_one_clear_error(
    tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    mount = tmpfs(tmp_path / "ro", size="8m")
    settings = Settings(data_dir=mount / "data")
    add_document(Store(settings), 1)
    dispose_engines()  # SQLite holds the database open for writing: the mount would be busy
    _remount_read_only(mount)

    with pytest.raises(ReadOnlyStoreError, match="is read-only"):
        Store(settings)
    env = {**os.environ, "SCIPIX_DATA_DIR": str(settings.data_dir)}
    for command in (["stats"], ["serve", "--port", "0"], ["reindex"]):
        done = subprocess.run(
            [sys.executable, "-m", "scipix_search.cli", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 4, done.stderr
        assert done.stderr.strip().splitlines() == [
            f"error: the data folder {settings.data_dir} is read-only (read-only file system); "
            "scipix-search writes its database and indexes there"
        ]


def test_read_only_index_folder_serves_what_it_has_and_reports_why(
    tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    tmpfs(settings.index_dir)
    store = Store(settings)
    add_document(store, 1)
    with store.session() as session:  # rows the index never got
        repo.add_document(
            session=session,
            parsed=parsed_document("late.pdf", passages=2, seed=9),
            passage_vectors=random_unit_vectors(2, 8, seed=9),
        )
    # and a damaged equation index
    directory = store.index_dir("equations")
    generation = next(directory.glob("index-*.faiss"))
    generation.write_bytes(generation.read_bytes()[:40])
    _remount_read_only(settings.index_dir)

    store = Store(settings)
    passages = store.open_index(SPECS[0])
    equations = store.open_index(SPECS[1])
    assert passages.ntotal == 3 and equations.ntotal == 0
    assert "holds 3 vectors, the database 5" in store.index_problems["passages"]
    assert "read-only" in store.index_problems["passages"]
    assert "equations index" in store.index_problems["equations"]
    # what it holds still answers: each passage of the first document finds itself
    found = passages.search(random_unit_vectors(3, 8, seed=1), k=1)[1][:, 0]
    assert found.tolist() == sorted(passages.ids().tolist())
