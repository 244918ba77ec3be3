"""quick_counts (plain sqlite3, for ``stats``) gives repo.count_rows's numbers, or steps aside."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from scipix_search.config import Settings
from scipix_search.store import Store, dispose_engines, quick_counts, repo
from tests.factories import parsed_document, random_unit_vectors
from tests.unit.store.test_store import EQUATIONS, PASSAGES, _document_with_equations


def _count_rows(settings: Settings) -> dict[str, int]:
    with Store(settings).session() as session:
        return repo.count_rows(session=session)


def test_quick_counts_agree_with_sqlalchemy(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = Store(settings)
    parsed, extras = _document_with_equations()  # one equation stored without a vector
    store.add_document(
        parsed,
        passage_vectors=random_unit_vectors(3, 8),
        equation_extras=extras,
        passage_spec=PASSAGES,
        equation_spec=EQUATIONS,
    )
    store.add_document(
        parsed_document("other.pdf", passages=2, seed=1),
        passage_vectors=random_unit_vectors(2, 8, seed=3),
        equation_extras=[],
        passage_spec=PASSAGES,
        equation_spec=EQUATIONS,
    )
    expected = _count_rows(settings)
    assert expected["equations"] > expected["equation_vectors"] > 0  # both cases present
    assert quick_counts(settings) == expected
    dispose_engines()


def test_quick_counts_steps_aside_for_what_it_cannot_answer(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # no database yet: nothing is created
    assert quick_counts(Settings(data_dir=data)) is None
    assert not data.exists()
    # a URL given by hand: its own driver answers
    url = f"sqlite:///{tmp_path / 'other.db'}"
    assert quick_counts(Settings(data_dir=data, database_url=url)) is None
    # a schema behind the migrations' head: the full path migrates it first
    settings = Settings(data_dir=data)
    _count_rows(settings)
    dispose_engines()
    with sqlite3.connect(data / "scipix.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'older'")
    assert quick_counts(settings) is None
    # not a database at all
    (data / "scipix.db").write_bytes(b"not sqlite" * 100)
    assert quick_counts(settings) is None


def test_stats_process_imports_no_sqlalchemy(tmp_path: Path) -> None:
    """``stats`` on an existing default store counts without SQLAlchemy, FAISS or a model."""
    data = tmp_path / "data"
    _count_rows(Settings(data_dir=data))
    dispose_engines()
    code = (
        "import sys\n"
        "from scipix_search.cli import main\n"
        "assert main(['--data-dir', sys.argv[1], 'stats', '--json']) == 0\n"
        "heavy = {'sqlalchemy', 'faiss', 'onnxruntime', 'numpy', 'pymupdf'} & set(sys.modules)\n"
        "print('heavy:', sorted(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(data)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().endswith("heavy: []"), done.stdout + done.stderr
