"""Safe image loading: magic bytes, pixel limits, truncated and empty files.

The pixel limit is checked on the header before any pixel is decoded, with the same meaning as
Pillow's ``Image.MAX_IMAGE_PIXELS`` but without changing that process-wide global. The limits are
arguments (defaults: those of ``Settings``); callers pass the settings' values.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from scipix_search.exceptions import (
    CorruptInputError,
    InputTooLargeError,
    UnsupportedContentError,
)
from scipix_search.ingest import IMAGE_FORMATS, magic

logger = logging.getLogger(__name__)

ImageInput = str | Path | bytes | Image.Image | np.ndarray

#: Defaults of the limits, equal to ``Settings.max_image_pixels`` and ``Settings.max_file_bytes``.
MAX_IMAGE_PIXELS = 40_000_000
MAX_FILE_BYTES = 200 * 1024 * 1024


#: Modes whose samples are wider than a byte (16-bit scans, 32-bit integer or float images):
#: Pillow's conversion to ``L`` or ``RGB`` clips them at 255 instead of scaling them, which
#: turns a 16-bit page's every grey level but black into white.
WIDE_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")

#: Fewer pixels than this on a side hold no glyph the recognizers can read.
MIN_SIDE_PX = 8
#: A longer side more than this many times the shorter is a strip, not a formula or a page.
MAX_ASPECT = 100


def check_readable(image: Image.Image, name: str = "image") -> Image.Image:
    """Refuse an image whose shape holds nothing to read, with the reason, before any model
    runs on it (the recognizers would only return an empty read for it, slowly).

    Raises:
        UnsupportedContentError: a side under :data:`MIN_SIDE_PX` pixels, or sides further
            apart than :data:`MAX_ASPECT` to 1.

    Example:
        >>> check_readable(Image.new("L", (30000, 20)), "strip.png")
        Traceback (most recent call last):
        ...
        scipix_search.exceptions.UnsupportedContentError: strip.png is 30000x20 pixels: sides more than 100:1 apart hold no formula or page to read; crop it
    """
    width, height = image.size
    if min(width, height) < MIN_SIDE_PX:
        raise UnsupportedContentError(
            f"{name} is {width}x{height} pixels: too small to hold text or a formula "
            f"(at least {MIN_SIDE_PX} pixels a side)",
            path=name,
        )
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise UnsupportedContentError(
            f"{name} is {width}x{height} pixels: sides more than {MAX_ASPECT}:1 apart hold no "
            "formula or page to read; crop it",
            path=name,
        )
    return image


def to_8bit(image: Image.Image) -> Image.Image:
    """An image of :data:`WIDE_MODES` as 8-bit grey (``L``), its range stretched to 0-255
    (a 12-bit scan in a 16-bit file keeps its contrast); other images as they are."""
    if image.mode not in WIDE_MODES:
        return image
    array = np.asarray(image, dtype=np.float64)
    low, span = float(array.min()), float(np.ptp(array))
    scaled = (array - low) / span * 255 if span > 0 else np.full_like(array, 255)
    return Image.fromarray(np.round(scaled).astype(np.uint8))


def _read_bytes(source: str | Path | bytes, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        data, name = source, "<bytes>"
    else:
        path = Path(source)
        name = str(path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise CorruptInputError(f"cannot read {name}: {exc}", path=name) from exc
        if size > max_bytes:
            raise InputTooLargeError(
                f"{name} has {size} bytes, over the limit of {max_bytes}", path=name
            )
        data = path.read_bytes()
    if not data:
        raise CorruptInputError(f"{name} is empty (0 bytes)", path=name)
    if len(data) > max_bytes:
        raise InputTooLargeError(
            f"{name} has {len(data)} bytes, over the limit of {max_bytes}", path=name
        )
    return data, name


def load_image(
    source: ImageInput, *, max_pixels: int = MAX_IMAGE_PIXELS, max_bytes: int = MAX_FILE_BYTES
) -> Image.Image:
    """Open and fully decode an image, refusing what is not a sound, reasonably sized image.

    Args:
        source: A path, the file's bytes, a PIL image or an ``HxW``/``HxWxC`` uint8 array.
        max_pixels: Largest ``width * height`` accepted (``Settings.max_image_pixels``).
        max_bytes: Largest file accepted, in bytes (``Settings.max_file_bytes``).

    Returns:
        The decoded image, in a mode whose ``convert("RGB")`` and ``convert("L")`` keep its
        grey levels: 1-bit, palette, CMYK and 8-bit images as decoded, 16-bit and 32-bit
        ones as 8-bit grey (:func:`to_8bit`).

    Raises:
        CorruptInputError: Empty, truncated or undecodable file.
        UnsupportedContentError: Not an image (a PDF, a text file ...), or an image of
            several frames (a multi-page TIFF: which page to read is not the loader's guess).
        InputTooLargeError: More pixels or bytes than allowed (decompression bombs included).
    """
    if isinstance(source, np.ndarray):
        if source.ndim not in (2, 3) or source.size == 0:
            raise UnsupportedContentError(
                f"expected an HxW or HxWxC array, got shape {source.shape}"
            )
        if source.shape[0] * source.shape[1] > max_pixels:
            raise InputTooLargeError(
                f"image of {source.shape[1]}x{source.shape[0]} exceeds {max_pixels} pixels"
            )
        array = source if source.dtype == np.uint8 else np.clip(source, 0, 255).astype(np.uint8)
        return Image.fromarray(array)
    if isinstance(source, Image.Image):
        if source.width * source.height > max_pixels:
            raise InputTooLargeError(
                f"image of {source.width}x{source.height} exceeds {max_pixels} pixels"
            )
        return to_8bit(source)
    data, name = _read_bytes(source, max_bytes)
    kind = magic(data)
    if kind == "pdf":
        raise UnsupportedContentError(f"{name} is a PDF, not an image", path=name, kind="pdf")
    if kind not in IMAGE_FORMATS:
        raise UnsupportedContentError(f"{name} is not a supported image type", path=name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > max_pixels:
                raise InputTooLargeError(
                    f"{name} is {image.width}x{image.height}, over the limit of {max_pixels} pixels",
                    path=name,
                )
            frames = getattr(image, "n_frames", 1)
            if frames > 1:
                raise UnsupportedContentError(
                    f"{name} holds {frames} pages (frames); one image is read as one page "
                    "(ingestion reads a multi-page file page by page: frames_as_pdf)",
                    path=name,
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputTooLargeError(f"{name}: {exc}", path=name) from exc
    except UnidentifiedImageError as exc:
        # Pillow's message names its in-memory buffer, which says nothing to the user
        raise CorruptInputError(
            f"{name} cannot be decoded: its {str(kind).upper()} header is damaged", path=name
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptInputError(f"{name} cannot be decoded: {exc}", path=name) from exc
    if image.width == 0 or image.height == 0:
        raise CorruptInputError(f"{name} has no pixels", path=name)
    return to_8bit(image)


#: A page image that says nothing of its resolution is taken as a page this wide (US Letter's
#: 8.5 in; A4's 8.27 in is within the scan path's tolerance), so the PDF page it becomes has a
#: paper's size and the scan path's rendering resolution means what it says.
ASSUMED_PAGE_WIDTH_IN = 8.5

#: Modes a frame is written to the PDF in as they are (a PNG holds them).
PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA"})


def frame_count(data: bytes) -> int:
    """How many frames (pages) an image file holds; 1 where Pillow cannot tell (the loader
    then gives the reason)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return int(getattr(image, "n_frames", 1))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return 1


def frames_as_pdf(
    data: bytes, name: str, *, max_pixels: int = MAX_IMAGE_PIXELS, max_pages: int = 2000
) -> bytes:
    """A multi-page image (a multi-page TIFF, as office scanners and libraries write) as an
    image-only PDF, one page a frame, each at its frame's own resolution: the scan path reads
    such a PDF page by page as it reads any PDF without a text layer.

    Raises:
        InputTooLargeError: more frames than ``max_pages``, or a frame over ``max_pixels``.
        CorruptInputError: a frame that cannot be decoded (which one is named).
    """
    import pymupdf

    out = pymupdf.open()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                frames = int(getattr(image, "n_frames", 1))
                if frames > max_pages:
                    raise InputTooLargeError(
                        f"{name} holds {frames} pages, over the limit of {max_pages}", path=name
                    )
                for index in range(frames):
                    image.seek(index)
                    if image.width * image.height > max_pixels:
                        raise InputTooLargeError(
                            f"{name}: page {index + 1} is {image.width}x{image.height}, over "
                            f"the limit of {max_pixels} pixels",
                            path=name,
                        )
                    try:
                        image.load()
                    except (OSError, SyntaxError, ValueError) as exc:
                        raise CorruptInputError(
                            f"{name}: page {index + 1} cannot be decoded: {exc}", path=name
                        ) from exc
                    frame = to_8bit(image.copy())
                    if frame.mode not in PNG_MODES:  # CMYK, YCbCr, LAB: PNG holds none of them
                        frame = frame.convert("RGB")
                    if frame.width == 0 or frame.height == 0:
                        raise CorruptInputError(
                            f"{name}: page {index + 1} has no pixels", path=name
                        )
                    dpi = _frame_dpi(image)
                    png = io.BytesIO()
                    frame.save(png, format="PNG")
                    page = out.new_page(
                        width=frame.width * 72 / dpi, height=frame.height * 72 / dpi
                    )
                    page.insert_image(page.rect, stream=png.getvalue())
        return bytes(out.tobytes())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputTooLargeError(f"{name}: {exc}", path=name) from exc
    finally:
        out.close()


def _frame_dpi(image: Image.Image) -> float:
    """The frame's horizontal resolution as its file records it, else a Letter page's: 72 and
    values under 100 are what writers put where they know none (no scan is made that coarse)."""
    recorded = float((image.info.get("dpi") or (0.0,))[0])
    if recorded >= 100:
        return recorded
    return image.width / ASSUMED_PAGE_WIDTH_IN
