"""Checks on uploaded bytes before anything is stored: size, magic bytes, pages, pixels."""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings

# starlette's UploadFile: what request.form() gives, and the base of fastapi's
from starlette.datastructures import UploadFile

from scipix_search.config import Settings
from scipix_search.exceptions import (
    CorruptInputError,
    InputError,
    InputTooLargeError,
    UnsupportedContentError,
)
from scipix_search.ingest import open_pdf, sniff

CHUNK = 1 << 20
UPLOAD_KINDS = ("pdf", "image", "tex", "targz", "collection")
_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^,;]*)*?);base64,", re.I)


async def read_upload(upload: UploadFile, limit: int) -> bytes:
    """Read an upload in chunks, stopping as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise InputTooLargeError(
                f"{upload.filename or 'upload'}: larger than the limit of {limit} bytes"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def decode_data_url(src: str, limit: int) -> bytes:
    """The bytes of a ``data:...;base64,`` URL; remote URLs are refused (no outbound fetch)."""
    src = src.strip()
    match = _DATA_URL.match(src)
    if match is None:
        if src.lower().startswith(("http://", "https://")):
            raise InputError(
                "src URLs are not fetched by this server; send a data URL (data:image/png;base64,...) or a file"
            )
        raise InputError("src must be a data URL: data:image/png;base64,...")
    payload = src[match.end() :]
    if len(payload) * 3 // 4 > limit:
        raise InputTooLargeError(f"image larger than the limit of {limit} bytes")
    try:
        return base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise CorruptInputError(f"src is not valid base64: {exc}") from exc


def check_image(data: bytes, name: str, max_pixels: int) -> tuple[int, int]:
    """Width and height of an image, read from its header only (no decoding).

    Raises:
        InputTooLargeError: more pixels than ``max_pixels`` (decompression bombs included).
        CorruptInputError: the header cannot be read.
    """
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except Image.DecompressionBombError as exc:
            raise InputTooLargeError(f"{name}: image has too many pixels ({exc})") from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise CorruptInputError(f"{name}: unreadable image: {exc}") from exc
    if width * height > max_pixels:
        raise InputTooLargeError(
            f"{name}: image is {width}x{height} = {width * height} pixels; the limit is "
            f"{max_pixels} (possible decompression bomb)"
        )
    return width, height


def check_pdf(data: bytes, name: str, max_pages: int) -> int:
    """Page count of a PDF, refusing broken, truncated, encrypted and over-long files.

    The checks are ``open_pdf``'s, the ones ingestion makes, so an upload the API takes is
    one the worker can read: whether MuPDF's repair of a cut-short file yields pages depends
    on where the cut falls, and a repaired page is not the page that was sent.
    """
    doc = open_pdf(data, name, max_pages=max_pages)
    try:
        return int(doc.page_count)
    except Exception as exc:  # MuPDF's errors on a damaged file: a cyclic page tree, ...
        raise CorruptInputError(f"{name}: not a readable PDF: {exc}") from exc
    finally:
        doc.close()


def check_document(data: bytes, name: str, settings: Settings) -> str:
    """Content type of an upload by magic bytes, with the limits checked.

    Returns:
        One of ``pdf``, ``image``, ``tex``, ``targz``, ``collection``.
    """
    kind = sniff(data, name)
    if kind not in UPLOAD_KINDS:
        raise UnsupportedContentError(f"{name}: {kind} uploads are not supported")
    if kind == "pdf":
        check_pdf(data, name, settings.max_pages)
    elif kind == "image":
        check_image(data, name, settings.max_image_pixels)
    return kind


def check_image_input(data: bytes, name: str, settings: Settings) -> tuple[int, int]:
    """An image for OCR or image search: must be an image by its bytes, within pixel limits."""
    kind = sniff(data, name)
    if kind != "image":
        raise UnsupportedContentError(f"{name}: expected an image (PNG, JPEG, ...), got {kind}")
    return check_image(data, name, settings.max_image_pixels)
