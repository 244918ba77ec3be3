"""Tuple sketches: what the structural re-rank reads of a stored formula, kept so that a query
scores its candidates without parsing them.

The re-rank (:func:`~scipix_search.math.match_scores`) reads of a candidate only its canonical
tokens (equal forms score 1.0), its unified and concrete tuple multisets and, for wildcard
queries, the unified tuples with either end replaced by ``*``. For a stored formula the unified
multiset is the concrete one with each label mapped through :func:`~scipix_search.math.unify`
(``formula_from_parts`` counts a tuple into both), and the wildcard forms derive from the unified
one. So a formula's sketch is: a 64-bit hash of its canonical tokens, and its concrete tuples as
exact integer keys (labels and paths numbered by a :class:`Vocabulary` saved with the sketches:
no hashing, no collisions) with their counts. A hash of equal tokens is confirmed by parsing
that candidate, so scores equal :func:`match_scores` bit for bit.

A sketch is ``8 + 10·t`` bytes (``t`` distinct concrete tuples, ~80 for a real formula): ~0.8 kB,
about 1 GB at 1M formulas. It lives in a file read with ``pread`` (page cache, not the process's
memory); the process holds per formula an offset and a size (12 bytes) besides the tuple index's
id and checksum. Sketches are written while the tuple index is built or healed
(:func:`~scipix_search.search.stored_tuple_index`): a file is appended to (records never move, so
a reader of an older table still reads valid ones) and rewritten when deleted rows hold more of
it than live ones.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scipix_search.math import ANY, UNIFIED_WEIGHT, Formula, unify

LABEL_BITS = 23
PATH_BITS = 16
_LABEL_MASK = (1 << LABEL_BITS) - 1
_PATH_MASK = (1 << PATH_BITS) - 1
_A_SHIFT = LABEL_BITS + PATH_BITS
UNKNOWN = _LABEL_MASK
"""The id of a query label no stored formula holds: its tuples match nothing."""
NOT_PARSED = -1
"""A row's size when its LaTeX did not parse: it scores 0, as the re-rank scores None."""
NOT_SKETCHED = -2
"""A row's size when it has no sketch (too many labels or too large a count): parsed on demand."""

Record = tuple[int, np.ndarray, np.ndarray]
"""A sketch: (token hash, sorted int64 tuple keys, their counts)."""


@dataclass(frozen=True, slots=True)
class Records:
    """Several sketches in flat arrays (what :func:`sketch_scores` reads): per record its token
    hash and number of keys; the records' keys and counts one after another."""

    tokhashes: np.ndarray
    lengths: np.ndarray
    keys: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, records: Sequence[Record]) -> Records:
        n = len(records)
        return cls(
            np.fromiter((r[0] for r in records), np.int64, n),
            np.fromiter((len(r[1]) for r in records), np.int64, n),
            np.concatenate([r[1] for r in records]) if n else np.zeros(0, np.int64),
            np.concatenate([r[2] for r in records]).astype(np.int64)
            if n
            else np.zeros(0, np.int64),
        )

    def __len__(self) -> int:
        return len(self.lengths)


def token_hash(tokens: Sequence[str]) -> int:
    """A 64-bit hash of canonical tokens (stable across processes), as a signed int64."""
    digest = hashlib.blake2b("\x1f".join(tokens).encode("utf-8", "replace"), digest_size=8)
    return int.from_bytes(digest.digest(), "little", signed=True)


@dataclass
class Vocabulary:
    """Labels and paths numbered in order of first sight; ``unified[i]`` is the id of
    ``unify(labels[i])`` (the empty label stays empty, as in ``formula_from_parts``)."""

    labels: list[str] = field(default_factory=lambda: ["", ANY])
    paths: list[str] = field(default_factory=lambda: [""])
    unified: list[int] = field(default_factory=lambda: [0, 1])

    def __post_init__(self) -> None:
        self._labels = {s: i for i, s in enumerate(self.labels)}
        self._paths = {s: i for i, s in enumerate(self.paths)}
        self._unified_array: np.ndarray | None = None

    def copy(self) -> Vocabulary:
        return Vocabulary(list(self.labels), list(self.paths), list(self.unified))

    def label(self, label: str, *, add: bool = False) -> int:
        found = self._labels.get(label)
        if found is not None or not add:
            return UNKNOWN if found is None else found
        if len(self.labels) >= UNKNOWN:
            raise OverflowError("too many distinct labels for a sketch key")
        target = unify(label) if label else label
        # the unified label is numbered first: a new id's unified id is always known
        unified = self._labels.get(target)
        if unified is None and target != label:
            unified = self.label(target, add=True)
        new = len(self.labels)
        self.labels.append(label)
        self._labels[label] = new
        self.unified.append(new if unified is None else unified)
        self._unified_array = None
        return new

    def path(self, path: str, *, add: bool = False) -> int:
        found = self._paths.get(path)
        if found is not None or not add:
            return _PATH_MASK if found is None else found
        if len(self.paths) >= _PATH_MASK:
            raise OverflowError("too many distinct paths for a sketch key")
        self.paths.append(path)
        self._paths[path] = len(self.paths) - 1
        return len(self.paths) - 1

    def unified_array(self) -> np.ndarray:
        if self._unified_array is None or len(self._unified_array) != len(self.unified):
            self._unified_array = np.asarray(self.unified, np.int64)
        return self._unified_array

    def key(self, a: str, d: str, p: str, *, add: bool = False) -> int:
        return (
            (self.label(a, add=add) << _A_SHIFT)
            | (self.label(d, add=add) << PATH_BITS)
            | self.path(p, add=add)
        )

    def keys(self, tuples: Iterable[tuple[str, str, str]]) -> list[int]:
        """:meth:`key` of each tuple, none added (a query's: one pass, no call per label)."""
        label, path = self._labels.get, self._paths.get
        return [
            (label(a, UNKNOWN) << _A_SHIFT) | (label(d, UNKNOWN) << PATH_BITS) | path(p, _PATH_MASK)
            for a, d, p in tuples
        ]

    def to_bytes(self) -> bytes:
        return json.dumps([self.labels, self.paths, self.unified]).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Vocabulary:
        labels, paths, unified = json.loads(data.decode())
        return cls(list(labels), list(paths), [int(u) for u in unified])


def sketch(formula: Formula, vocab: Vocabulary) -> Record:
    """A stored formula's sketch; labels and paths new to ``vocab`` are numbered.

    Raises:
        OverflowError: the vocabulary is full or a count does not fit 16 bits.
    """
    items = list(formula.concrete.items())
    keys = np.fromiter(
        (vocab.key(a, d, p, add=True) for (a, d, p), _ in items), np.int64, len(items)
    )
    counts = np.fromiter((c for _, c in items), np.int64, len(items))
    if len(counts) and int(counts.max()) > 0xFFFF:
        raise OverflowError("a tuple count does not fit a sketch")
    order = np.argsort(keys)
    return token_hash(formula.tokens), keys[order], counts[order]


def _encode(record: Record) -> bytes:
    tokhash, keys, counts = record
    return (
        np.int64(tokhash).tobytes() + keys.astype("<i8").tobytes() + counts.astype("<u2").tobytes()
    )


def record_bytes(size: int) -> int:
    return 8 + 10 * size if size >= 0 else 0


class SketchTable:
    """Sketches of the rows of a tuple index: ``offsets``/``sizes`` per row, records on disk.

    Args:
        path: the sketch file.
        offsets: per row, where its record starts.
        sizes: per row, its distinct tuples, or :data:`NOT_PARSED` / :data:`NOT_SKETCHED`.
        vocab: the labels and paths the keys number.
    """

    def __init__(
        self, path: Path, offsets: np.ndarray, sizes: np.ndarray, vocab: Vocabulary
    ) -> None:
        self.path = path
        self.offsets = np.asarray(offsets, np.int64)
        self.sizes = np.asarray(sizes, np.int32)
        self.vocab = vocab
        self._fd = os.open(path, os.O_RDONLY)

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)

    @property
    def nbytes(self) -> int:
        """Bytes held in memory (the records stay on disk)."""
        return int(self.offsets.nbytes + self.sizes.nbytes) + len(self.vocab.to_bytes())

    @property
    def disk_bytes(self) -> int:
        return int(sum(record_bytes(int(s)) for s in self.sizes))

    def read(self, row: int) -> Record | None | bool:
        """Row ``row``'s record; None when its LaTeX did not parse; False when it has none."""
        size = int(self.sizes[row])
        if size == NOT_PARSED:
            return None
        if size < 0:
            return False
        data = os.pread(self._fd, record_bytes(size), int(self.offsets[row]))
        tokhash = int(np.frombuffer(data, "<i8", 1)[0])
        keys = np.frombuffer(data, "<i8", size, 8)
        counts = np.frombuffer(data, "<u2", size, 8 + 8 * size)
        return tokhash, keys, counts

    def read_rows(self, rows: np.ndarray) -> Records:
        """The records of ``rows`` (each holding one: size >= 0), read into flat arrays.

        One ``pread`` a row, and the keys and counts parsed by one ``frombuffer`` each for
        all rows (not three a row: a query reads ~170 records).
        """
        sizes = self.sizes[rows].tolist()
        fd, pread = self._fd, os.pread
        blobs = [
            pread(fd, 8 + 10 * size, offset)
            for size, offset in zip(sizes, self.offsets[rows].tolist(), strict=True)
        ]
        pairs = list(zip(blobs, sizes, strict=True))
        return Records(
            np.frombuffer(b"".join(b[:8] for b in blobs), "<i8").astype(np.int64),
            np.asarray(sizes, np.int64),
            np.frombuffer(b"".join(b[8 : 8 + 8 * n] for b, n in pairs), "<i8").astype(np.int64),
            np.frombuffer(b"".join(b[8 + 8 * n :] for b, n in pairs), "<u2").astype(np.int64),
        )


class SketchWriter:
    """Writes the sketches of a healed tuple index: reused rows keep their record, new ones are
    appended (to ``old``'s file under an exclusive lock, or to a new file)."""

    def __init__(self, folder: Path, stem: str, old: SketchTable | None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.stem, self.old = folder, stem, old
        self.vocab = old.vocab.copy() if old is not None else Vocabulary()
        self.path = old.path if old is not None else self._new_path()
        self._file = self.path.open("ab")
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
        self._end = self._file.seek(0, os.SEEK_END)
        self.offsets: list[int] = []
        self.sizes: list[int] = []

    def _new_path(self) -> Path:
        return self.folder / f"{self.stem}.sketch.{uuid.uuid4().hex[:12]}"

    def reuse(self, row: int) -> None:
        assert self.old is not None
        self.offsets.append(int(self.old.offsets[row]))
        self.sizes.append(int(self.old.sizes[row]))

    def add(self, formula: Formula | None) -> None:
        if formula is None:
            self.offsets.append(0)
            self.sizes.append(NOT_PARSED)
            return
        try:
            record = sketch(formula, self.vocab)
        except OverflowError:
            self.offsets.append(0)
            self.sizes.append(NOT_SKETCHED)
            return
        data = _encode(record)
        self._file.write(data)
        self.offsets.append(self._end)
        self.sizes.append(len(record[1]))
        self._end += len(data)

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()

    def finish(self) -> SketchTable:
        """The table of the rows written; the file is rewritten when more of it is dead than
        live (deleted or changed rows)."""
        self.close()
        offsets = np.asarray(self.offsets, np.int64)
        sizes = np.asarray(self.sizes, np.int32)
        live = sum(record_bytes(int(s)) for s in sizes)
        table = SketchTable(self.path, offsets, sizes, self.vocab)
        if self._end <= 2 * live + (1 << 16):
            return table
        path = self._new_path()
        new_offsets = np.zeros_like(offsets)
        with path.open("wb") as f:
            at = 0
            for row, size in enumerate(sizes):
                if size < 0:
                    continue
                record = table.read(row)
                assert isinstance(record, tuple)
                data = _encode(record)
                f.write(data)
                new_offsets[row] = at
                at += len(data)
            f.flush()
            os.fsync(f.fileno())
        return SketchTable(path, new_offsets, sizes, self.vocab)


@dataclass(frozen=True)
class SketchQuery:
    """A query prepared for sketches: its tuples as keys of one vocabulary, sorted, unique."""

    tokens: tuple[str, ...]
    tokhash: int
    n_u: int
    n_c: int
    concrete: tuple[np.ndarray, np.ndarray]
    unified: tuple[np.ndarray, np.ndarray]
    wild: tuple[np.ndarray, np.ndarray]
    any_id: int

    @classmethod
    def of(cls, query: Formula, vocab: Vocabulary) -> SketchQuery:
        def keyed(tuples: dict[tuple[str, str, str], int]) -> tuple[np.ndarray, np.ndarray]:
            keys = np.asarray(vocab.keys(tuples), np.int64).reshape(-1)
            counts = np.fromiter(tuples.values(), np.int64, len(tuples))
            return _aggregate(np.zeros(len(keys), np.int64), keys, counts)[1:]

        n_wild = sum(query.wild.values())
        return cls(
            query.tokens,
            token_hash(query.tokens),
            query.n_unified + n_wild,
            query.n_concrete + n_wild,
            keyed(query.concrete),
            keyed(query.unified),
            keyed(query.wild),
            vocab.label(ANY),
        )


def _aggregate(
    rows: np.ndarray, keys: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts summed per (row, key); sorted by row, then key."""
    if not len(keys):
        return rows, keys, counts
    order = np.lexsort((keys, rows))
    rows, keys, counts = rows[order], keys[order], counts[order]
    first = np.ones(len(keys), bool)
    first[1:] = (rows[1:] != rows[:-1]) | (keys[1:] != keys[:-1])
    starts = np.flatnonzero(first)
    return rows[starts], keys[starts], np.add.reduceat(counts, starts)


def _matched(
    query: tuple[np.ndarray, np.ndarray],
    rows: np.ndarray,
    keys: np.ndarray,
    counts: np.ndarray,
    n_rows: int,
    *,
    unique: bool = False,
) -> np.ndarray:
    """Per row, ``sum(min(query[t], row[t]))`` over the tuples both hold (int64); a row's
    count of a key is the sum of its entries with that key (so the unified and wildcard forms
    need no grouping first). Only entries holding a query key are counted: a bincount over
    (row, query key) cells. ``unique``: a row holds each key once (a record's concrete
    tuples), so each entry's minimum is summed per row directly, with no cells (a third of
    the re-rank's CPU)."""
    q_keys, q_counts = query
    if not len(q_keys) or not len(keys):
        return np.zeros(n_rows, np.int64)
    pos = np.minimum(np.searchsorted(q_keys, keys), len(q_keys) - 1)
    hit = q_keys[pos] == keys
    if unique:
        least = np.minimum(counts[hit], q_counts[pos[hit]])
        return np.bincount(rows[hit], weights=least, minlength=n_rows).round().astype(np.int64)
    cells = rows[hit] * len(q_keys) + pos[hit]
    held = np.bincount(cells, weights=counts[hit], minlength=n_rows * len(q_keys))
    matched = np.minimum(held.reshape(n_rows, len(q_keys)), q_counts).sum(axis=1)
    return matched.round().astype(np.int64)


def sketch_scores(
    query: SketchQuery,
    records: Records | Sequence[Record],
    unified_of: np.ndarray,
    same_tokens: Callable[[int], bool],
) -> list[tuple[float, float]]:
    """``(whole, contained)`` of each record, equal to :func:`match_scores` of the parsed pair.

    Args:
        query: the prepared query.
        records: the candidates' sketches (:meth:`SketchTable.read_rows`).
        unified_of: per label id, its unified label's id (``Vocabulary.unified_array``).
        same_tokens: asked for a record (by position) whose token hash equals the query's:
            are its canonical tokens the query's (a hash is confirmed, never trusted)?
    """
    if not isinstance(records, Records):
        records = Records.of(records)
    n = len(records)
    if not n:
        return []
    rows = np.repeat(np.arange(n, dtype=np.int64), records.lengths)
    keys, counts = records.keys, records.counts
    sizes = np.bincount(rows, weights=counts, minlength=n).round().astype(np.int64)
    m_c = _matched(query.concrete, rows, keys, counts, n, unique=True)
    a, d = keys >> _A_SHIFT, (keys >> PATH_BITS) & _LABEL_MASK
    p = keys & _PATH_MASK
    # the unified tuples: labels mapped, counts of tuples that map alike summed by _matched
    a, d = unified_of[a], unified_of[d]
    m_u = _matched(query.unified, rows, (a << _A_SHIFT) | (d << PATH_BITS) | p, counts, n)
    if len(query.wild[0]):
        any_a, any_d = query.any_id << _A_SHIFT, query.any_id << PATH_BITS
        pathed = p != 0
        g_rows = np.concatenate([rows, rows[pathed], rows[pathed]])
        g_keys = np.concatenate(
            [
                any_a | (d << PATH_BITS) | p,
                ((a << _A_SHIFT) | any_d | p)[pathed],
                (any_a | any_d | p)[pathed],
            ]
        )
        g_counts = np.concatenate([counts, counts[pathed], counts[pathed]])
        wild = _matched(query.wild, g_rows, g_keys, g_counts, n)
        m_u, m_c = m_u + wild, m_c + wild
    whole, contained = match_score_arrays(m_u, m_c, query.n_u, query.n_c, sizes)
    out = list(zip(whole.tolist(), contained.tolist(), strict=True))
    for i in np.flatnonzero(records.tokhashes == query.tokhash).tolist():
        if same_tokens(i):
            out[i] = (1.0, 1.0)
    return out


def match_score_arrays(
    m_u: np.ndarray, m_c: np.ndarray, n_u: int, n_c: int, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~scipix_search.math.scores_from_matches` of many candidates at once (a sketch's
    unified and concrete sizes are equal): the same IEEE operations in the same order, so the
    same floats, without a Python call per candidate.

    Args:
        m_u, m_c: per candidate, its matched unified and concrete tuples.
        n_u, n_c: the query's unified and concrete tuples.
        sizes: per candidate, its tuples.
    """
    m_u, m_c = m_u.astype(np.float64), m_c.astype(np.float64)
    size = sizes.astype(np.float64)

    def f1(matched: np.ndarray, n_query: int) -> np.ndarray:  # math._similarity._f1
        ok = (matched != 0) & (size != 0) & (n_query != 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            recall, precision = matched / n_query, matched / size
            f = 2 * precision * recall / (precision + recall)
        return np.where(ok, f, 0.0)

    w = UNIFIED_WEIGHT
    whole = w * f1(m_u, n_u) + (1.0 - w) * f1(m_c, n_c)
    contained = w * (m_u / n_u if n_u else np.zeros(len(m_u))) + (1.0 - w) * (
        m_c / n_c if n_c else np.zeros(len(m_c))
    )
    # as in structural_similarity: 1.0 is kept for equal canonical forms
    return np.minimum(whole, 0.999999), contained
