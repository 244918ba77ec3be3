"""Text OCR of page images and scanned PDF pages: RapidOCR (default) or Tesseract.

Two engines behind one :class:`TextRecognizer`, chosen by ``Settings.text_ocr``
(``SCIPIX_TEXT_OCR``): ``rapidocr`` runs the PP-OCR ONNX models of the RapidOCR wheel,
``tesseract`` Debian's Tesseract 5 program (``ocr/_tesseract.py``; about a seventh of the CPU
time a page, a little less accurate on scans). A missing engine is an error naming
what to install; one engine never stands in for the other silently.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np

from scipix_search.config import Settings
from scipix_search.exceptions import CorruptInputError, InputTooLargeError
from scipix_search.ingest import magic, render_page
from scipix_search.ocr._images import (
    MAX_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    ImageInput,
    check_readable,
    load_image,
)
from scipix_search.ocr._output import TextLine
from scipix_search.ocr._preprocess import to_gray
from scipix_search.ocr._rapidocr import (
    int8_recognizer,
    rapidocr_recognizer_file,
    run_rapidocr,
    start_rapidocr,
)
from scipix_search.ocr._tesseract import TesseractEngine

logger = logging.getLogger(__name__)

TextEngine = Literal["rapidocr", "tesseract"]
#: Lines scored under this are dropped, per engine (RapidOCR's scores and Tesseract's mean
#: word confidences are not on one scale).
MIN_CONFIDENCE: dict[str, float] = {"rapidocr": 0.5, "tesseract": 0.0}


class TextRecognizer:
    """Find and read text lines in page images and PDF pages.

    Args:
        engine: ``rapidocr`` or ``tesseract`` (``Settings.text_ocr``).
        dpi: Resolution at which PDF pages are rendered.
        min_confidence: Lines scored below this are dropped (default: the engine's
            :data:`MIN_CONFIDENCE`).
        max_pages: PDFs with more pages are refused (``Settings.max_pages``).
        max_image_pixels: Larger images and rendered pages are refused
            (``Settings.max_image_pixels``).
        max_file_bytes: Larger image files are refused (``Settings.max_file_bytes``).
        device: Where RapidOCR's ONNX models run (``auto``, ``cpu`` or ``cuda``). The CPU by
            default, as RapidOCR ran them before, whatever ``Settings.device`` says: its
            models on a GPU were never measured here.
        cjk: Let RapidOCR's recognizer read CJK ideographs, kana and hangul. Without it
            their classes (16,000 of its 18,710) are cut from the model's last layer, a
            sixth of its time; on the scanned papers measured no line read otherwise.
        precision: RapidOCR's recognizer on the CPU: ``int8`` (the copy that
            ``scipix-search models build`` writes into ``model_dir``, ``_text_int8.py``:
            0.6 of the float recognizer's CPU, CER within 0.002 of it on the scanned papers)
            or ``fp32`` (the wheel's model). On CUDA, and with ``cjk`` (the int8 copy has
            the Latin classes alone), the float model is read, and that is logged.
        model_dir: Where the int8 copy was built (default ``~/.cache/scipix-search/models``).

    Raises:
        MissingDependencyError: the engine (the tesseract program and its ``eng`` model, or
            the rapidocr package) is not installed, or ``precision="int8"`` and its copy is not
            built (or was built from another rapidocr model).

    Example:
        >>> lines = TextRecognizer.from_settings(get_settings())("page.png")  # doctest: +SKIP
        >>> lines[0].text, lines[0].bbox  # doctest: +SKIP
        ('Introduction', (72.0, 90.0, 260.0, 118.0))
    """

    def __init__(
        self,
        *,
        engine: TextEngine = "rapidocr",
        dpi: int = 200,
        min_confidence: float | None = None,
        max_pages: int = 2000,
        max_image_pixels: int = MAX_IMAGE_PIXELS,
        max_file_bytes: int = MAX_FILE_BYTES,
        device: str = "cpu",
        cjk: bool = False,
        precision: Literal["int8", "fp32"] = "int8",
        model_dir: Path | str | None = None,
    ) -> None:
        if engine not in MIN_CONFIDENCE:
            raise ValueError(f"unknown text OCR engine {engine!r}: tesseract or rapidocr")
        self.engine = engine
        self.dpi = dpi
        self.min_confidence = MIN_CONFIDENCE[engine] if min_confidence is None else min_confidence
        self.max_pages, self.max_image_pixels = max_pages, max_image_pixels
        self.max_file_bytes = max_file_bytes
        self._tesseract: TesseractEngine | None = None
        self._engine: Any = None
        self.recognizer_path: Path | None = None
        if engine == "tesseract":
            self._tesseract = TesseractEngine()
        else:
            int8 = None
            if precision == "int8":
                int8 = int8_recognizer(device, cjk, model_dir)
            self._engine = start_rapidocr(device, cjk, int8)
            #: The recognizer model read with: the built int8 copy or the wheel's float file.
            self.recognizer_path = int8 or rapidocr_recognizer_file()

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> TextRecognizer:
        """The recognizer of ``settings.text_ocr`` with the limits of ``settings``;
        ``options`` as in the constructor.

        Raises:
            MissingDependencyError: the engine is not installed.
        """
        limits: dict[str, Any] = {
            "engine": settings.text_ocr,
            "max_pages": settings.max_pages,
            "max_image_pixels": settings.max_image_pixels,
            "max_file_bytes": settings.max_file_bytes,
        }
        if settings.text_ocr == "rapidocr":
            limits["cjk"] = settings.text_ocr_cjk
            limits["precision"] = settings.text_ocr_precision
            limits["model_dir"] = settings.model_dir
        return cls(**{**limits, **options})

    def read_array(self, pixels: np.ndarray, page: int = 0) -> list[TextLine]:
        """Text lines of one ``HxW`` or ``HxWx3`` uint8 image, top to bottom.

        Raises:
            OCRError: the engine failed.
        """
        if self._tesseract is not None:
            gray = pixels if pixels.ndim == 2 else _gray(pixels)
            found = self._tesseract(gray, page)
            return [line for line in found if line.confidence >= self.min_confidence]
        if pixels.ndim == 2:
            pixels = np.repeat(pixels[:, :, None], 3, axis=2)
        output = run_rapidocr(self._engine, pixels)
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
                # checked on the page's size, before a pixmap that large is allocated
                scale = self.dpi / 72.0
                if page.rect.width * scale * page.rect.height * scale > self.max_image_pixels:
                    raise InputTooLargeError(
                        f"page {number} of {path} is too large at {self.dpi} dpi"
                    )
                yield number, render_page(page, self.dpi)

    def __call__(self, source: ImageInput) -> list[TextLine]:
        """Text lines of an image, or of every page of a PDF file.

        Args:
            source: A path (image or PDF), image bytes, PIL image or array.

        Returns:
            The lines, page by page, top to bottom.

        Raises:
            InputError: The file cannot be read, exceeds the limits, or is an image too small
                or too narrow to hold text (``check_readable``).
            OCRError: the engine failed.
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
        check_readable(image)
        gray = to_gray(image)
        return self.read_array(gray)


def _gray(pixels: np.ndarray) -> np.ndarray:
    """``HxWx3`` (or ``HxWx4``) uint8 RGB as ``HxW`` uint8 luma (ITU-R 601, as Pillow's ``L``)."""
    rgb = pixels[:, :, :3].astype(np.float32)
    luma = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.clip(luma + 0.5, 0, 255).astype(np.uint8)
