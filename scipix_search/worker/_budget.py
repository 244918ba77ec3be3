"""Bounded work per job: ingestion in a supervised child process, killed at its budget.

Cooperative caps (formula length, macro expansion, parser depth) stop the hostile inputs we
know of; this stops the ones we do not. One long-lived child process runs the
:class:`~scipix_search.pipeline.Indexer` (so the models load once, not per job); the parent
sends it one call at a time and watches it: past ``job_timeout_s`` of wall time, or past
``job_memory_mb`` of resident memory (``VmRSS`` from ``/proc/<pid>/status``, read every
0.1 s), it is killed, the call ends as a ``failed`` outcome whose reason is one line
(``paper.tex: exceeded 120 s``), and the next call starts a fresh child.

*Why a process, not a thread or ``resource.setrlimit``*: a thread cannot be stopped from
outside, so a runaway parse would hold the worker (and its lease) for ever; ``RLIMIT_AS`` counts
address space, which ONNX Runtime and glibc's per-thread arenas reserve by gigabytes without
touching, so a limit low enough to matter fails healthy jobs. Killing a process also hands its
memory back at once, so the worker's own RSS never carries a poisoned job's peak.

The child dies with its parent (``PR_SET_PDEATHSIG``), so a worker killed with SIGKILL does not
leave a child finishing a job that another worker has taken over.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from scipix_search.config import Settings
from scipix_search.exceptions import JobCrashedError

if TYPE_CHECKING:
    # imported where used: a parent that only runs job processes (``ingest --jobs N``) then
    # does not load the pipeline its children load
    from scipix_search.pipeline import Indexer, IngestOutcome

logger = logging.getLogger(__name__)

POLL_S = 0.1
"""How often the parent checks the child's wall time and memory."""
START_TIMEOUT_S = 300.0
"""Time a fresh child may take to import and load the passage model."""
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class Budget:
    """What one job may cost: wall time in seconds and resident memory in MiB."""

    timeout_s: float
    memory_mb: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Budget:
        return cls(settings.job_timeout_s, settings.job_memory_mb)


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MiB (``VmRSS``), or None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


CHILD_CODE = (
    "from scipix_search._lazy import skip_unused_imports; skip_unused_imports(); "
    "from scipix_search.worker._budget import child_main; child_main({fd})"
)
"""What a job process runs (``fd``: its end of the pipe). PyMuPDF's layout model is kept out
first, as in the CLI: the worker package imports PyMuPDF, and its layout import cost each
child about 0.6 CPU s (1.6 -> 1.0 CPU s to import the worker) before its first job."""


class JobProcess:
    """Indexer calls in one long-lived child process, each under a :class:`Budget`.

    The methods mirror :class:`~scipix_search.pipeline.Indexer` and return its
    :class:`~scipix_search.pipeline.IngestOutcome`; a call over the budget returns a ``failed``
    outcome whose reason ends with what it exceeded, also kept in :attr:`last_exceeded`.

    Args:
        settings: what the child builds its Indexer from.
        budget: the per-call limits (default: ``job_timeout_s`` and ``job_memory_mb``).
        cpus: the cores the child may use (default: the parent's).

    Raises:
        JobCrashedError: (from the ingest methods) the child raised an unexpected error or
            died by itself (a crash worth a retry, unlike a budget kill).

    Example:
        >>> with JobProcess(settings) as jobs:  # doctest: +SKIP
        ...     jobs.ingest_file(Path("paper.tex")).status
        'added'
    """

    def __init__(
        self,
        settings: Settings,
        *,
        budget: Budget | None = None,
        cpus: frozenset[int] | None = None,
    ) -> None:
        self.settings = settings
        self.budget = budget or Budget.from_settings(settings)
        # the cores the child may run on (None: the parent's); its ONNX Runtime sessions count
        # their threads from them, so side-by-side children do not oversubscribe the machine
        self.cpus = cpus
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self.last_exceeded: str | None = None
        self.restarts = 0
        self._ready = False  # the child has said it loaded its model

    # -- lifecycle ----------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The child's process id, None while no child runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def start(self) -> None:
        """Start the child and wait until it has loaded the passage model (idempotent)."""
        if self._proc is None or self._ready:
            self.launch()
        self._await_ready()  # raises where a child launched earlier died starting

    def launch(self) -> None:
        """Start the child without waiting for it to load its model (idempotent): a caller
        with other work to do meanwhile (the CLI's imports and page counts) overlaps it with
        the child's start; :meth:`start` or the first call waits for it."""
        if self._proc is not None and self._proc.poll() is None:
            return
        self._reap()
        parent_conn, child_conn = multiprocessing.Pipe(duplex=True)
        fd = child_conn.fileno()
        # A fresh interpreter rather than multiprocessing's spawn, which re-imports the
        # parent's __main__ (any script without a main guard would run again in the child).
        code = CHILD_CODE.format(fd=fd)
        proc = subprocess.Popen(
            [sys.executable, "-c", code], pass_fds=(fd,), env=_child_env(), close_fds=True
        )
        child_conn.close()
        self._proc, self._conn = proc, parent_conn
        self._ready = False
        if self.cpus:
            # before the settings go: the child loads no model until it has them
            with contextlib.suppress(OSError):  # the child died at once: reported below
                os.sched_setaffinity(proc.pid, self.cpus)
        level = logging.getLogger().getEffectiveLevel()
        try:
            parent_conn.send((self.settings, level, os.getpid()))
        except OSError as exc:
            self._kill()
            raise JobCrashedError(f"the job process did not start: {exc}") from exc

    def _await_ready(self) -> None:
        proc, parent_conn = self._proc, self._conn
        if self._ready or proc is None or parent_conn is None:
            return
        deadline = time.monotonic() + START_TIMEOUT_S
        while not parent_conn.poll(POLL_S):
            if proc.poll() is not None or time.monotonic() > deadline:
                self._kill()
                raise JobCrashedError("the job process did not start")
        try:
            _ready, detail = parent_conn.recv()
        except (EOFError, OSError) as exc:
            self._kill()
            raise JobCrashedError("the job process did not start") from exc
        self._ready = True
        if detail:  # the model did not load: each job will say why
            logger.warning("job process started without its model: %s", detail)
        logger.info("job process %d started", proc.pid, extra={"action": "job_process"})

    def close(self) -> None:
        """Ask the child to exit, and kill it if it does not within a few seconds."""
        if self._conn is not None and self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                self._conn.send(None)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
        self._kill()

    def __enter__(self) -> JobProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _kill(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        if conn is not None:
            conn.close()

    def _reap(self) -> None:
        if self._proc is not None:
            self.restarts += 1
            self._kill()

    # -- calls --------------------------------------------------------------------------
    def ingest_upload(self, path: Path, name: str) -> IngestOutcome:
        """Ingest the bytes of ``path`` (an upload) under the file name ``name``."""
        return self._call(name, "ingest_upload", str(path), name)

    def ingest_file(self, path: Path) -> IngestOutcome:
        """As :meth:`Indexer.ingest_file`, under the budget."""
        return self._call(path.name, "ingest_file", str(path))

    def ingest_pair(self, source_path: Path, pdf_path: Path) -> IngestOutcome:
        """As :meth:`Indexer.ingest_pair`, under the budget."""
        name = f"{pdf_path.name} + {source_path.name}"
        return self._call(name, "ingest_pair", str(source_path), str(pdf_path))

    def _call(self, name: str, method: str, *args: str) -> IngestOutcome:
        self.last_exceeded = None
        self.start()
        proc, conn = self._proc, self._conn
        assert proc is not None and conn is not None
        try:
            conn.send((method, args))
        except (OSError, ValueError) as exc:
            self._reap()
            raise JobCrashedError(f"the job process is gone: {exc}") from exc
        started = time.monotonic()
        peak = 0.0
        while not conn.poll(POLL_S):
            elapsed = time.monotonic() - started
            rss = rss_mb(proc.pid) or 0.0
            peak = max(peak, rss)
            exceeded = None
            if elapsed > self.budget.timeout_s:
                exceeded = f"exceeded {self.budget.timeout_s:g} s"
            elif rss > self.budget.memory_mb:
                exceeded = f"exceeded {self.budget.memory_mb} MB"
            if exceeded is not None:
                self._reap()  # kill now: its memory goes back to the system with it
                self.last_exceeded = exceeded
                logger.warning(
                    "%s: %s (killed after %.1f s at %.0f MB)",
                    name,
                    exceeded,
                    elapsed,
                    peak,
                    extra={"action": "budget", "source": name},
                )
                from scipix_search.pipeline import IngestOutcome

                return IngestOutcome(name, "failed", reason=f"{name}: {exceeded}")
            if proc.poll() is not None:
                break
        try:
            status, value = conn.recv()
        except (EOFError, OSError) as exc:
            # The pipe closes as the child dies, a moment before its exit status is there.
            try:
                code: int | None = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
            self._reap()
            if code is None:
                how = "no exit status"
            else:
                how = f"signal {-code}" if code < 0 else f"exit code {code}"
            raise JobCrashedError(f"the job process died ({how})") from exc
        if status == "error":
            raise JobCrashedError(str(value))
        outcome: IngestOutcome = value
        return outcome


# -- the child --------------------------------------------------------------------------
def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _child_env() -> dict[str, str]:
    # The child imports this package from where the parent did, installed or not.
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def child_main(fd: int) -> None:
    """Serve Indexer calls from the connection on ``fd`` until it sends None or closes.

    The first message is ``(settings, log level, parent pid)``; the child answers
    ``("ready", problem)`` once its passage model is loaded (``problem`` is None or why not).
    """
    conn = Connection(fd)
    settings, log_level, parent_pid = conn.recv()
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    logging.basicConfig(
        level=log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from scipix_search.pipeline import Indexer

    indexer = Indexer(settings)
    problem = None
    try:
        _ = indexer.models.text_encoder  # load before the first job's clock starts
    except Exception as exc:  # a missing model fails each job with its reason instead
        problem = f"{type(exc).__name__}: {exc}"
    conn.send(("ready", problem))
    synced = False
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            _exit_at_once()
        method, args = message
        try:
            if not synced:
                # A process killed between a commit and an index save left an index behind.
                indexer.sync_indexes()
                synced = True
            conn.send(("ok", _run(indexer, method, args)))
        except Exception as exc:  # reported to the parent, which decides about a retry
            logger.exception("job call %s failed", method)
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _exit_at_once() -> None:
    """End the child without the interpreter's teardown: every call's commit is done, so
    the database connections are closed and the logs flushed, and the rest (freeing the
    models and every module, about half a CPU second, a second of wall time on a loaded
    machine) is left to the system. The parent waits for its children's exit."""
    from scipix_search.store import dispose_engines

    dispose_engines()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def _run(indexer: Indexer, method: str, args: tuple[str, ...]) -> IngestOutcome:
    if method == "ingest_upload":
        path, name = args
        return indexer.ingest_bytes(Path(path).read_bytes(), name)
    if method == "ingest_file":
        return indexer.ingest_file(Path(args[0]))
    if method == "ingest_pair":
        return indexer.ingest_pair(Path(args[0]), Path(args[1]))
    raise ValueError(f"unknown job call {method!r}")
