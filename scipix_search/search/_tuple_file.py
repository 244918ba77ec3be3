"""The tuple index's file beside the FAISS indexes (:func:`stored_tuple_index`), split out of
``search/_tuples.py``.

Parsing is the cost (~1.5 ms a formula: minutes at 100k), so each formula's keys are kept in a
file: derived data, rebuilt from the database where it is missing, unreadable or stale. Every
row carries its id and a CRC-32 of its LaTeX, so a new, deleted, changed or reused id is noticed
and only those rows are parsed. The postings are saved as built, so an open that finds the file
current does no sort (the build's sort costs seconds at 100k).
"""

from __future__ import annotations

import logging
import os
import threading
import zipfile
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scipix_search.exceptions import LatexParseError
from scipix_search.math import Formula, parse_formula
from scipix_search.search._sketch import SketchTable, SketchWriter, Vocabulary, record_bytes
from scipix_search.search._tuples import (
    BUCKETS,
    KEYS_VERSION,
    TupleIndex,
    latex_check,
    tuple_keys,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TupleRows:
    """Per stored formula, what :class:`TupleIndex` is built from.

    Attributes:
        ids: the formulas' ids, ascending.
        checks: CRC-32 of each formula's LaTeX (a changed or reused id is parsed again).
        keys: each formula's :func:`tuple_keys`.
    """

    ids: np.ndarray
    checks: np.ndarray
    keys: list[np.ndarray]

    def index(self) -> TupleIndex:
        return TupleIndex(self.keys, self.ids)


def _parse(latex: str) -> Formula | None:
    try:
        return parse_formula(latex)
    except LatexParseError:
        return None  # kept, so that it is not parsed again at every open


def load_tuple_index(path: Path) -> tuple[TupleIndex, np.ndarray] | None:
    """The index saved at ``path`` (with its sketches, when their file is whole) and its rows'
    LaTeX checksums; None when the file is missing, unreadable or of another version."""
    try:
        with np.load(path) as saved:
            if int(saved["version"]) != KEYS_VERSION or int(saved["buckets"]) != BUCKETS:
                return None
            ids, checks = saved["ids"], saved["checks"]
            postings, df = saved["postings"], saved["df"]
            sketch_file = str(saved["sketch_file"])
            offsets, sizes = saved["sketch_offsets"], saved["sketch_sizes"]
            vocab = saved["sketch_vocab"].tobytes()
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:  # damaged
        logger.warning("tuple index %s unreadable (%s): rebuilt from the database", path, exc)
        return None
    bad_rows = len(postings) and (postings.min() < 0 or postings.max() >= len(ids))
    if len(ids) != len(checks) or len(df) != BUCKETS or int(df.sum()) != len(postings) or bad_rows:
        logger.warning("tuple index %s inconsistent: rebuilt from the database", path)
        return None
    index = TupleIndex.from_postings(postings, df, ids)
    index.sketches = _load_sketches(path.parent / sketch_file, offsets, sizes, vocab, len(ids))
    index.checks = checks.astype(np.uint32)
    return index, index.checks


def _load_sketches(
    path: Path, offsets: np.ndarray, sizes: np.ndarray, vocab: bytes, n: int
) -> SketchTable | None:
    """The sketch table, or None when its file is missing or shorter than its rows say."""
    if len(offsets) != n or len(sizes) != n:
        return None
    try:
        length = path.stat().st_size
        ends = offsets + np.fromiter((record_bytes(int(s)) for s in sizes), np.int64, n)
        if n and int(ends.max()) > length:
            logger.warning("sketch file %s is short: rebuilt from the database", path)
            return None
        return SketchTable(path, offsets, sizes, Vocabulary.from_bytes(vocab))
    except (OSError, ValueError) as exc:
        logger.warning("sketch file %s unreadable (%s): rebuilt from the database", path, exc)
        return None


def save_tuple_index(path: Path, index: TupleIndex, checks: np.ndarray) -> None:
    """Write ``index`` and its rows' checksums to ``path`` atomically (a temporary file, then
    a rename); its sketches' records are already in their own file, named here.

    Raises:
        OSError: the folder is not writable or the disk is full.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # a server's reloads build in threads: two may save at once
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    sketches = index.sketches
    try:
        with tmp.open("wb") as f:
            np.savez(
                f,
                version=KEYS_VERSION,
                buckets=BUCKETS,
                ids=index.ids,
                checks=np.asarray(checks, np.uint32),
                postings=index.postings,
                df=index.df,
                sketch_file=np.asarray("" if sketches is None else sketches.path.name),
                sketch_offsets=np.zeros(0, np.int64) if sketches is None else sketches.offsets,
                sketch_sizes=np.zeros(0, np.int32) if sketches is None else sketches.sizes,
                sketch_vocab=np.frombuffer(
                    b"" if sketches is None else sketches.vocab.to_bytes(), np.uint8
                ),
            )
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def heal_tuple_rows(
    saved: TupleRows | None, formulas: Iterable[tuple[int, str]]
) -> tuple[TupleRows, int]:
    """The rows of ``formulas`` (``(id, latex)`` in id order), reusing ``saved`` where its id
    and LaTeX checksum agree.

    Returns:
        The rows, and how many differ from ``saved`` (parsed, or dropped as deleted).
    """
    known: dict[int, tuple[int, np.ndarray]] = {}
    if saved is not None:
        known = {
            int(i): (int(c), k) for i, c, k in zip(saved.ids, saved.checks, saved.keys, strict=True)
        }
    ids: list[int] = []
    checks: list[int] = []
    keys: list[np.ndarray] = []
    parsed = 0
    for eq_id, latex in formulas:
        check = latex_check(latex)
        old = known.pop(eq_id, None)
        if old is not None and old[0] == check:
            keys.append(old[1])
        else:
            keys.append(tuple_keys(_parse(latex)))
            parsed += 1
        ids.append(eq_id)
        checks.append(check)
    rows = TupleRows(np.asarray(ids, np.int64), np.asarray(checks, np.uint32), keys)
    return rows, parsed + len(known)


def stored_tuple_index(path: Path, formulas: Iterable[tuple[int, str]]) -> TupleIndex:
    """The index of ``formulas`` (``(id, latex)`` in id order) from the file at ``path``,
    with each row's re-rank sketch (:class:`~scipix_search.search._sketch.SketchTable`).

    One pass over ``formulas`` (a stream: nothing but ids and checksums is kept of a row
    whose saved keys are current). When the file holds exactly these ids and LaTeX checksums
    it is used as saved (no parse, no sort); otherwise new and changed rows are parsed, their
    sketches appended, deleted rows dropped, the index rebuilt and saved again. A file that
    cannot be written only costs the work again at the next open.
    """
    saved = load_tuple_index(path)
    if saved is not None and saved[0].sketches is None:
        saved = None  # no sketches: everything is parsed again
    old, old_checks = saved if saved is not None else (None, np.zeros(0, np.uint32))
    old_ids = old.ids if old is not None else np.zeros(0, np.int64)
    writer = SketchWriter(path.parent, path.stem, old.sketches if old is not None else None)
    ids = array("q")
    checks = array("I")
    reused = array("q")  # per row, its saved row, or -1 when parsed now
    fresh: dict[int, np.ndarray] = {}
    j = 0
    try:
        for eq_id, latex in formulas:
            check = latex_check(latex)
            while j < len(old_ids) and old_ids[j] < eq_id:
                j += 1
            if j < len(old_ids) and old_ids[j] == eq_id and old_checks[j] == check:
                reused.append(j)
                writer.reuse(j)
            else:
                formula = _parse(latex)
                fresh[len(ids)] = tuple_keys(formula)
                reused.append(-1)
                writer.add(formula)
            ids.append(eq_id)
            checks.append(check)
    finally:
        writer.close()
    if old is not None and not fresh and len(ids) == old.n:
        return old  # every row as saved
    old_keys = old.row_keys() if old is not None and len(fresh) < len(ids) else []
    keys = [fresh[i] if r < 0 else old_keys[r] for i, r in enumerate(reused)]
    del old_keys
    index = TupleIndex(keys, np.frombuffer(ids, np.int64) if ids else None)
    index.sketches = writer.finish()
    row_checks = np.frombuffer(checks, np.uint32) if checks else np.zeros(0, np.uint32)
    index.checks = row_checks
    try:
        save_tuple_index(path, index, row_checks)
        if index.sketches.path != writer.path:  # rewritten: readers keep the old one open
            writer.path.unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("tuple index not saved to %s: %s", path, exc.strerror or exc)
    changed = len(fresh) + (old.n if old is not None else 0) - (len(ids) - len(fresh))
    logger.info("tuple index: %d formulas, %d parsed or dropped", index.n, changed)
    return index
