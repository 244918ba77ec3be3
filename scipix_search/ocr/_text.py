"""Text OCR of page images and scanned PDF pages with RapidOCR (PP-OCR ONNX models in its wheel)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from scipix_search.config import Settings
from scipix_search.exceptions import (
    CorruptInputError,
    InputTooLargeError,
    MissingDependencyError,
    OCRError,
)
from scipix_search.ingest import magic
from scipix_search.ocr._images import (
    MAX_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    ImageInput,
    load_image,
)
from scipix_search.ocr._output import TextLine
from scipix_search.ocr._preprocess import to_gray

logger = logging.getLogger(__name__)

_INSTALL_HINT = "text OCR needs RapidOCR: pip install 'rapidocr==3.10.0'"


class TextRecognizer:
    """Find and read text lines in page images and PDF pages.

    Args:
        dpi: Resolution at which PDF pages are rendered.
        min_confidence: Lines scored below this are dropped.
        max_pages: PDFs with more pages are refused (``Settings.max_pages``).
        max_image_pixels: Larger images and rendered pages are refused
            (``Settings.max_image_pixels``).
        max_file_bytes: Larger image files are refused (``Settings.max_file_bytes``).

    Raises:
        MissingDependencyError: rapidocr is not installed.

    Example:
        >>> lines = TextRecognizer.from_settings(get_settings())("page.png")  # doctest: +SKIP
        >>> lines[0].text, lines[0].bbox  # doctest: +SKIP
        ('Introduction', (72.0, 90.0, 260.0, 118.0))
    """

    def __init__(
        self,
        *,
        dpi: int = 200,
        min_confidence: float = 0.5,
        max_pages: int = 2000,
        max_image_pixels: int = MAX_IMAGE_PIXELS,
        max_file_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:
            raise MissingDependencyError(_INSTALL_HINT, package="rapidocr") from exc
        # RapidOCR sets its own logger (a stderr handler, not propagated) to the
        # config's level on every construction, INFO by default: its "Using engine"
        # and "detection result is empty" lines would reach users of `ocr` and
        # `ingest`. Only errors, unless this project logs at DEBUG.
        verbose = logging.getLogger("scipix_search").isEnabledFor(logging.DEBUG)
        params = {"Global.log_level": "debug" if verbose else "error"}
        try:
            self._engine = RapidOCR(params=params)
        except Exception as exc:  # rapidocr raises its own untyped errors
            raise OCRError(f"cannot start RapidOCR: {exc}") from exc
        self.dpi, self.min_confidence = dpi, min_confidence
        self.max_pages, self.max_image_pixels = max_pages, max_image_pixels
        self.max_file_bytes = max_file_bytes

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> TextRecognizer:
        """The recognizer with the limits of ``settings``; ``options`` as in the constructor.

        Raises:
            MissingDependencyError: rapidocr is not installed.
        """
        limits = {
            "max_pages": settings.max_pages,
            "max_image_pixels": settings.max_image_pixels,
            "max_file_bytes": settings.max_file_bytes,
        }
        return cls(**{**limits, **options})

    def read_array(self, pixels: np.ndarray, page: int = 0) -> list[TextLine]:
        """Text lines of one ``HxW`` or ``HxWx3`` uint8 image, top to bottom."""
        if pixels.ndim == 2:
            pixels = np.repeat(pixels[:, :, None], 3, axis=2)
        try:
            output: Any = self._engine(np.ascontiguousarray(pixels))
        except Exception as exc:  # rapidocr raises its own untyped errors
            raise OCRError(f"RapidOCR failed: {exc}") from exc
        if getattr(output, "boxes", None) is None or getattr(output, "txts", None) is None:
            return []
        lines = []
        for box, text, score in zip(output.boxes, output.txts, output.scores, strict=True):
            if float(score) < self.min_confidence or not str(text).strip():
                continue
            points = np.asarray(box, dtype=np.float64).reshape(-1, 2)
            bbox = (
                float(points[:, 0].min()),
                float(points[:, 1].min()),
                float(points[:, 0].max()),
                float(points[:, 1].max()),
            )
            lines.append(TextLine(str(text), bbox, round(float(score), 4), page))
        return sorted(lines, key=lambda line: (line.bbox[1], line.bbox[0]))

    def _pdf_pages(self, path: Path) -> Iterator[tuple[int, np.ndarray]]:
        import pymupdf

        try:
            document = pymupdf.open(path)
        except Exception as exc:  # pymupdf raises several untyped errors
            raise CorruptInputError(
                f"{path} cannot be opened as a PDF: {exc}", path=str(path)
            ) from exc
        with document:
            if document.page_count > self.max_pages:
                raise InputTooLargeError(
                    f"{path} has {document.page_count} pages, over the limit of {self.max_pages}",
                    path=str(path),
                )
            for number in range(document.page_count):
                page = document[number]
                pixmap = page.get_pixmap(dpi=self.dpi, colorspace=pymupdf.csRGB)
                if pixmap.width * pixmap.height > self.max_image_pixels:
                    raise InputTooLargeError(
                        f"page {number} of {path} is too large at {self.dpi} dpi"
                    )
                array = np.frombuffer(pixmap.samples, dtype=np.uint8)
                yield number, array.reshape(pixmap.height, pixmap.width, pixmap.n)[:, :, :3]

    def __call__(self, source: ImageInput) -> list[TextLine]:
        """Text lines of an image, or of every page of a PDF file.

        Args:
            source: A path (image or PDF), image bytes, PIL image or array.

        Returns:
            The lines, page by page, top to bottom.

        Raises:
            InputError: The file cannot be read or exceeds the limits.
            OCRError: RapidOCR failed.
        """
        if isinstance(source, str | Path) and Path(source).is_file():
            with Path(source).open("rb") as handle:
                head = handle.read(1024)
            if magic(head) == "pdf":
                lines: list[TextLine] = []
                for number, pixels in self._pdf_pages(Path(source)):
                    lines.extend(self.read_array(pixels, number))
                return lines
        image = load_image(source, max_pixels=self.max_image_pixels, max_bytes=self.max_file_bytes)
        gray = to_gray(image)
        return self.read_array(gray)
