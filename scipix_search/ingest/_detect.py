"""What a file is, decided by its bytes (magic numbers), never by its name alone."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Literal

from scipix_search.exceptions import CorruptInputError, InputTooLargeError, UnsupportedContentError

ContentType = Literal["pdf", "image", "tex", "targz", "collection"]

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
    (b"\x1f\x8b", "gzip"),
)
_NETPBM = re.compile(rb"P[56]\s+[#0-9]")
IMAGE_FORMATS = frozenset({"png", "jpeg", "gif", "tiff", "bmp", "webp", "pgm", "ppm"})
"""What :func:`magic` names an image: the formats the OCR stage's image loader reads."""
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".pgm", ".ppm"}
TEX_SUFFIXES = {".tex", ".ltx", ".latex"}
COLLECTION_SUFFIXES = {".txt", ".tsv"}
ARCHIVE_SUFFIXES = {".gz", ".tgz"}
SUPPORTED_SUFFIXES = (
    {".pdf"} | IMAGE_SUFFIXES | TEX_SUFFIXES | COLLECTION_SUFFIXES | ARCHIVE_SUFFIXES
)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def magic(data: bytes) -> str | None:
    """Name what a file's leading bytes say it is; the one table of magic numbers.

    Args:
        data: the file's bytes, or its first KiB (a PDF header may follow up to 1 KiB of junk,
            as PDF readers accept).

    Returns:
        ``"pdf"``, an image format of :data:`IMAGE_FORMATS` (``"png"``, ``"jpeg"``, ...),
        ``"gzip"``, or ``None``; e.g. ``magic(b"%PDF-1.7")`` is ``"pdf"``.
    """
    head = data[:16]
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    for prefix, kind in _MAGIC:
        if head.startswith(prefix):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if _NETPBM.match(head):  # binary netpbm: P5/P6, whitespace, then a width or a comment
        return "pgm" if head[1:2] == b"5" else "ppm"
    return None


def sniff(data: bytes, name: str) -> ContentType:
    """Classify ``data`` by its leading bytes; the name only separates kinds of plain text.

    Raises:
        CorruptInputError: the file is empty.
        UnsupportedContentError: the bytes are of no supported kind, or contradict the name.
    """
    if not data:
        raise CorruptInputError(f"{name}: empty file (0 bytes)")
    suffix = Path(name).suffix.lower()
    kind = magic(data)
    if kind == "pdf":
        return "pdf"
    if kind in IMAGE_FORMATS:
        return "image"
    if kind == "gzip":
        return "targz"
    if suffix == ".pdf":
        raise UnsupportedContentError(f"{name}: named .pdf but is not a PDF (no %PDF- header)")
    if suffix in IMAGE_SUFFIXES:
        raise UnsupportedContentError(f"{name}: named {suffix} but is not an image of a known kind")
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        try:
            data[:65536].decode("latin-1")
        except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes any byte
            raise UnsupportedContentError(f"{name}: binary content of unknown kind") from exc
        if b"\x00" in data[:65536]:
            raise UnsupportedContentError(f"{name}: binary content of unknown kind") from None
    if suffix in TEX_SUFFIXES or b"\\documentclass" in data[:65536]:
        return "tex"
    if suffix in COLLECTION_SUFFIXES:
        return "collection"
    raise UnsupportedContentError(
        f"{name}: unsupported content (expected PDF, image, .tex, .tar.gz, or a .txt/.tsv "
        "formula list)"
    )


def read_input(path: Path, *, max_bytes: int) -> bytes:
    """Read a file, refusing anything over ``max_bytes`` before loading it."""
    size = path.stat().st_size
    if size > max_bytes:
        raise InputTooLargeError(f"{path.name}: {size} bytes exceeds the limit of {max_bytes}")
    return path.read_bytes()
