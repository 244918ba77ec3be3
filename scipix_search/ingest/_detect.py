"""What a file is, decided by its bytes (magic numbers), never by its name alone."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from scipix_search.exceptions import CorruptInputError, InputTooLargeError, UnsupportedContentError

ContentType = Literal["pdf", "image", "tex", "targz", "collection"]

_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
)
TEX_SUFFIXES = {".tex", ".ltx", ".latex"}
COLLECTION_SUFFIXES = {".txt", ".tsv"}
ARCHIVE_SUFFIXES = {".gz", ".tgz"}
SUPPORTED_SUFFIXES = (
    {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp"}
    | TEX_SUFFIXES
    | COLLECTION_SUFFIXES
    | ARCHIVE_SUFFIXES
)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sniff(data: bytes, name: str) -> ContentType:
    """Classify ``data`` by its leading bytes; the name only separates kinds of plain text.

    Raises:
        CorruptInputError: the file is empty.
        UnsupportedContentError: the bytes are of no supported kind, or contradict the name.
    """
    if not data:
        raise CorruptInputError(f"{name}: empty file (0 bytes)")
    head = data[:16]
    suffix = Path(name).suffix.lower()
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if any(head.startswith(m) for m in _IMAGE_MAGIC) or (
        head.startswith(b"RIFF") and data[8:12] == b"WEBP"
    ):
        return "image"
    if head.startswith(b"\x1f\x8b"):
        return "targz"
    if suffix == ".pdf":
        raise UnsupportedContentError(f"{name}: named .pdf but is not a PDF (no %PDF- header)")
    if suffix in {".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp"}:
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
