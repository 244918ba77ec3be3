"""What the API process holds: store, models (one registry), searchers kept fresh.

Freshness: workers (threads or other processes, on any machine sharing the data folder) commit
each index by replacing its manifest last, before the job is marked succeeded. Before each
search, :class:`Services` stats the manifest (a few microseconds) and, when it changed, re-opens
that index (the manifest names a complete generation, so no lock is needed to read it). Every API
process does this on its own, so many processes stay in step without talking to each other, and
a document whose job succeeded is found by the next search (a program that uploads, waits for
its job and searches expects that; a check throttled to once a second missed it when the job
ended within that second).

Several machines, no shared folder (``worker_writes_index=false``): workers write only rows,
and this process keeps its own indexes in its own data folder (``Store.follow``), built from the
database at start and caught up by a background thread every ``index_refresh_s``; a catch-up
that changed an index marks its searcher stale, so the next request reloads it as above.

Health: every open of an index checks it against the database and repairs it (``Store``); what
could not be repaired (a read-only or full data folder) is in ``store.index_problems``, and
``/readyz`` answers 503 with it while search serves what is consistent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from scipix_search.api.errors import ServiceUnavailableError
from scipix_search.config import Settings
from scipix_search.exceptions import IndexStoreError, ScipixError, StoreError
from scipix_search.pipeline import Models
from scipix_search.store import Store, VectorIndex

if TYPE_CHECKING:
    from scipix_search.ocr import LatexRecognizer, TextRecognizer
    from scipix_search.search import EquationSearcher

logger = logging.getLogger(__name__)

#: Seconds before a failed index reload is tried again.
_RETRY_S = 1.0

#: The key of ``store.index_problems`` while followed indexes cannot catch up.
CATCH_UP = "catch-up"


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    # The inode too: a commit replaces the manifest, and two commits in one mtime tick happen.
    return st.st_mtime_ns, st.st_size, st.st_ino


class _Fresh:
    """A searcher plus the manifest stamp of the index it has open (``on_reload``: called
    with the searcher after each reload)."""

    def __init__(
        self,
        searcher: Any,
        index_dir: Path,
        on_reload: Callable[[Any], None] | None = None,
    ) -> None:
        self.searcher = searcher
        self.on_reload = on_reload
        self.meta = VectorIndex.manifest_path(index_dir)
        self.index_dir = index_dir
        self.stamp = _stamp(self.meta)
        self.stale = False
        self.retry_at = 0.0
        self.lock = threading.Lock()

    def invalidate(self) -> None:
        """Reload at the next refresh (the index changed in place: a followed index)."""
        self.stale = True

    def refresh(self) -> None:
        """Re-open the index when its manifest changed or it was invalidated."""
        if not self.stale and _stamp(self.meta) == self.stamp:
            return
        if time.monotonic() < self.retry_at:
            return  # the last reload failed: not again on every request
        with self.lock:
            stamp = _stamp(self.meta)
            if not self.stale and stamp == self.stamp:
                return  # another request reloaded it meanwhile
            self.stale = False
            try:
                # Stamped before the reload: a commit during it is seen at the next check.
                stamp = _stamp(self.meta)
                self.searcher.reload()
            except ScipixError:
                logger.warning("index reload failed; keeping the open one", exc_info=True)
                self.stale = True
                self.retry_at = time.monotonic() + _RETRY_S
                return
            self.stamp = stamp
            logger.info("reloaded %s", self.index_dir.name, extra={"action": "index_reload"})
            if self.on_reload is not None:
                self.on_reload(self.searcher)


def _tuples_in_background(searcher: EquationSearcher) -> None:
    """(Re)build the searcher's tuple index in a thread: the open one, or FAISS alone before
    the first, serves meanwhile (a first build over a large store parses every equation,
    minutes at 100k; later ones read the saved keys and parse only new equations)."""

    def build() -> None:
        try:
            searcher.build_tuples()
        except (ScipixError, SQLAlchemyError, OSError):
            # sub-formula queries rank FAISS's candidates only; the next reload tries again
            logger.warning("tuple index not built", exc_info=True, extra={"action": "tuple_index"})

    threading.Thread(target=build, name="tuple-index", daemon=True).start()


class Services:
    """Long-lived objects of one API process, built once at start-up.

    Its models come from one :class:`Models` registry, which the embedded worker's indexer
    shares: a process loads each model once, whichever thread needs it first.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store(settings)
        if not settings.worker_writes_index:
            self.store.follow()  # no shared folder: indexes of our own, from the database
        self._follow_stop = threading.Event()
        self.models = Models(settings)
        self._lock = threading.RLock()
        self._passages: _Fresh | None = None
        self._equations: _Fresh | None = None
        self.worker_thread: threading.Thread | None = None
        self.worker_stop: threading.Event | None = None
        self.ready = False

    def _build(
        self,
        attr: str,
        factory: Callable[[], Any],
        kind: str,
        on_reload: Callable[[Any], None] | None = None,
    ) -> _Fresh:
        fresh = getattr(self, attr)
        if fresh is None:
            with self._lock:
                fresh = getattr(self, attr)
                if fresh is None:
                    fresh = _Fresh(factory(), self.store.index_dir(kind), on_reload)
                    setattr(self, attr, fresh)
        fresh.refresh()
        return fresh

    def passage_searcher(self) -> Any:
        """The passage searcher, re-opened when a worker saved a newer index."""
        from scipix_search.search import PassageSearcher

        return self._build(
            "_passages", lambda: PassageSearcher(self.store, self.models.text_encoder), "passages"
        ).searcher

    def equation_searcher(self) -> Any:
        """The equation searcher, re-opened when a worker saved a newer index.

        Raises:
            ServiceUnavailableError: equation search is not part of this installation.
        """
        try:
            from scipix_search.search import EquationSearcher
        except ImportError as exc:
            raise ServiceUnavailableError("equation search is not available in this build") from exc

        def open_searcher() -> EquationSearcher:
            searcher = EquationSearcher(self.store, self.models.formula_encoder)
            _tuples_in_background(searcher)
            return searcher

        return self._build("_equations", open_searcher, "equations", _tuples_in_background).searcher

    def latex_recognizer(self) -> LatexRecognizer:
        """The formula OCR model, loaded on first use.

        Raises:
            ServiceUnavailableError: the OCR package or its model is missing.
        """
        try:
            return self.models.latex_recognizer
        except ImportError as exc:
            raise ServiceUnavailableError(f"formula OCR is not available: {exc}") from exc

    def text_recognizer(self) -> TextRecognizer:
        """The page text OCR engine, loaded on first use (503 when its engine is missing)."""
        try:
            return self.models.text_recognizer
        except ImportError as exc:
            raise ServiceUnavailableError(f"text OCR is not available: {exc}") from exc

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Load the passage model and searchers; start the embedded worker if configured.

        Opening a searcher checks its index against the database and repairs it. An index that
        fails even so does not stop the server: the reason goes to ``/readyz`` (503), the rest
        of the API serves, and the next search tries to open it again.
        """
        try:
            self.passage_searcher()
        except (IndexStoreError, StoreError) as exc:
            self.store.index_problems.setdefault("passages", str(exc))
            logger.error("passage search unavailable: %s", exc, extra={"action": "start"})
        try:
            self.equation_searcher()
        except ScipixError:
            logger.warning("equation search unavailable", exc_info=True)
        if self.settings.embedded_worker:
            from scipix_search.pipeline import Indexer
            from scipix_search.worker import start_background_worker

            indexer = Indexer(self.settings, models=self.models)
            self.worker_thread, self.worker_stop = start_background_worker(
                self.settings, indexer=indexer
            )
        if self.store.following:
            threading.Thread(target=self._catch_up_loop, name="index-catch-up", daemon=True).start()
        self.ready = True

    def _catch_up_loop(self) -> None:
        """Catch the followed indexes up with the database until :meth:`stop`."""
        every_s = max(self.settings.index_refresh_s, 0.1)
        problems = self.store.index_problems
        while not self._follow_stop.wait(every_s):
            try:
                reports = self.store.catch_up()
            except Exception as exc:  # the database is away: log, wait, retry; never die
                # /readyz says so while it lasts (search serves the index as it is); logged
                # once per new reason, not every interval.
                problem = f"indexes cannot catch up from the database ({type(exc).__name__})"
                if problems.get(CATCH_UP) != problem:
                    logger.warning("%s", problem, exc_info=True, extra={"action": "catch_up"})
                problems[CATCH_UP] = problem
                continue
            if problems.pop(CATCH_UP, None) is not None:
                logger.info("indexes caught up again", extra={"action": "catch_up"})
            for report in reports:
                fresh = self._passages if report.kind == "passages" else self._equations
                if fresh is not None and (report.added or report.removed):
                    fresh.invalidate()

    def stop(self) -> None:
        self._follow_stop.set()
        if self.worker_stop is not None:
            self.worker_stop.set()
        if self.worker_thread is not None:
            self.worker_thread.join(timeout=30)
