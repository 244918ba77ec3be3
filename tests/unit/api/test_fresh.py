"""A searcher re-opens its index at the first search after a worker saved one: a program that
uploads, waits for its job and searches finds the new paper (no refresh interval to wait out)."""

from __future__ import annotations

import os
from pathlib import Path

from scipix_search.api import _services
from scipix_search.exceptions import IndexStoreError
from scipix_search.store import VectorIndex


class _Searcher:
    def __init__(self) -> None:
        self.reloads = 0
        self.fail = False

    def reload(self) -> None:
        if self.fail:
            raise IndexStoreError("index file unreadable")
        self.reloads += 1


def _commit(index_dir: Path, generation: int) -> None:
    """Replace the manifest the way a save commits (write beside it, rename over it)."""
    manifest = VectorIndex.manifest_path(index_dir)
    part = manifest.with_suffix(".part")
    part.write_text(f'{{"generation": {generation}}}')
    os.replace(part, manifest)


def test_reloads_at_the_first_refresh_after_a_save(tmp_path: Path) -> None:
    _commit(tmp_path, 1)
    searcher = _Searcher()
    reloaded: list[object] = []
    fresh = _services._Fresh(searcher, tmp_path, reloaded.append)
    fresh.refresh()
    assert searcher.reloads == 0  # nothing changed since it was opened
    _commit(tmp_path, 2)
    fresh.refresh()  # at once: no interval since the last check to wait out
    assert searcher.reloads == 1 and reloaded == [searcher]
    fresh.refresh()
    assert searcher.reloads == 1
    fresh.invalidate()  # a followed index caught up in place: the manifest may be unchanged
    fresh.refresh()
    assert searcher.reloads == 2


def test_failed_reload_keeps_the_open_index_and_is_retried(tmp_path: Path) -> None:
    _commit(tmp_path, 1)
    searcher = _Searcher()
    fresh = _services._Fresh(searcher, tmp_path)
    searcher.fail = True
    _commit(tmp_path, 2)
    fresh.refresh()
    assert searcher.reloads == 0
    searcher.fail = False
    fresh.refresh()  # within the retry pause: not tried on every request
    assert searcher.reloads == 0
    fresh.retry_at = 0.0  # the pause is over
    fresh.refresh()
    assert searcher.reloads == 1
