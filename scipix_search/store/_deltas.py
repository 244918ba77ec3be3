"""Delta files of an index folder: new vectors committed beside the generation, unread.

A document's vectors are appended as a file of ids and vectors that the manifest names (see
:mod:`scipix_search.store._layout`), without reading the index; a reader adds the deltas to the
generation it loads (:meth:`scipix_search.store._vectors.VectorIndex.open`).
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path
from typing import TYPE_CHECKING

from scipix_search.exceptions import IndexCorruptError
from scipix_search.store._kinds import IndexPolicy
from scipix_search.store._layout import commit_delta, read_delta, read_manifest

if TYPE_CHECKING:
    # numpy is imported where it is used, as in _vectors: `stats` imports the store
    import numpy as np

logger = logging.getLogger(__name__)

#: A save appends a delta while the deltas hold at most this share of the generation's vectors;
#: past it, the next save writes a new generation. The generation thus grows by a quarter at
#: least between two rewrites, so each vector is rewritten a bounded number of times on average
#: (about 1/0.25 = 4), and a reader adds at most a quarter again to what the generation holds.
DELTA_SHARE = 0.25
_DELTA_MAGIC = b"SPXDELT1"
_DELTA_HEADER = struct.Struct("<8sqq")  # magic, vectors, dim


def append_delta(
    directory: Path,
    ids: np.ndarray,
    vectors: np.ndarray,
    *,
    dim: int,
    encoder: str,
    policy: IndexPolicy,
) -> bool:
    """Commit new vectors as a delta of the saved index, without reading the index.

    Call it under :func:`~scipix_search.store._vectors.index_lock`. Returns False, writing
    nothing, where a whole save is needed instead (``VectorIndex.open``, ``add``, ``save``): no manifest of this version, another
    encoder, an id not above every saved one (a replacement, or a transaction that
    committed late: only a load of the index can replace a vector), an approximate
    generation or a flat one that the add would make approximate, deltas that would
    outgrow :data:`DELTA_SHARE` of the generation, or a delta that cannot be read for a
    merge. Trailing deltas no larger than the new one are merged into it, so the folder
    keeps a logarithmic number of files.

    *Why flat generations only*: a reader adds the deltas to the generation it loads. On a
    flat index that is a copy (1,500 vectors on 10,000 of 384 dims: 7 → 12 CPU ms an open);
    an IVF index assigns each added vector to its nearest of ~4·√n lists (1,500 vectors on
    100,000 of 1,024 dims: 0.5 → 1.5 CPU s an open), which every API reload would pay again
    for every delta. Deltas for IVF need their lists stored with them (the writer reading
    the coarse quantiser, saved beside the generation): not built yet.

    Raises:
        StorageFullError, ReadOnlyStoreError, IndexStoreError: as :meth:`save`.
    """
    import numpy as np

    ids = np.ascontiguousarray(ids, dtype=np.int64)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    try:
        manifest = read_manifest(directory)
    except IndexCorruptError:
        return False
    if (
        manifest is None
        or manifest.max_id is None
        or manifest.kind is None
        or (manifest.dim, manifest.encoder) != (dim, encoder)
        or vectors.shape != (len(ids), dim)
        or len(ids) == 0
        or int(ids.min()) <= manifest.max_id
        or len(np.unique(ids)) != len(ids)
        or manifest.kind != "flat"
        or policy.approximate_at(manifest.count + len(ids))
        or manifest.count - manifest.base_count + len(ids) > DELTA_SHARE * manifest.base_count
    ):
        return False
    id_parts, vector_parts, replaces = [ids], [vectors], 0
    for delta in reversed(manifest.deltas):
        if delta.count > sum(len(part) for part in id_parts):
            break
        try:
            data = read_delta(directory, delta)
            old_ids, old_vectors = decode_delta(data, directory, delta.count, dim)
        except (FileNotFoundError, IndexCorruptError):
            return False  # the whole save's open finds it and repairs the index
        id_parts.insert(0, old_ids)
        vector_parts.insert(0, old_vectors)
        replaces += 1
    commit_delta(
        directory,
        manifest,
        encode_delta(np.concatenate(id_parts), np.concatenate(vector_parts)),
        count=len(ids),
        max_id=int(ids.max()),
        replaces=replaces,
    )
    logger.debug("appended %d vectors to %s", len(ids), directory)
    return True


def encode_delta(ids: np.ndarray, vectors: np.ndarray) -> bytes:
    header = _DELTA_HEADER.pack(_DELTA_MAGIC, len(ids), vectors.shape[1])
    return header + ids.astype("<i8").tobytes() + vectors.astype("<f4").tobytes()


def decode_delta(
    data: bytes, directory: Path, count: int, dim: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ids and vectors of a delta file, checked against what the manifest says of it."""
    import numpy as np

    size = _DELTA_HEADER.size
    magic, n, width = _DELTA_HEADER.unpack_from(data) if len(data) >= size else (b"", -1, -1)
    if magic != _DELTA_MAGIC or n != count or width != dim or len(data) != size + n * (8 + 4 * dim):
        raise IndexCorruptError(
            f"{directory.name} index: a delta file is not what its manifest says",
            directory=directory,
        )
    ids = np.frombuffer(data, dtype="<i8", count=n, offset=size).astype(np.int64)
    vectors = np.frombuffer(data, dtype="<f4", offset=size + 8 * n).reshape(n, dim)
    return ids, vectors.astype(np.float32)
