"""Page text OCR takes its limits from the settings it is built from (RapidOCR loads: ~5 s)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scipix_search.config import Settings
from scipix_search.exceptions import InputTooLargeError
from tests.factories import LOREM, make_pdf

pytestmark = pytest.mark.model


def test_text_recognizer_from_settings_applies_its_limits(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr")
    from scipix_search.ocr import TextRecognizer

    settings = Settings(data_dir=tmp_path, max_pages=1, max_image_pixels=10_000)
    recognizer = TextRecognizer.from_settings(settings, dpi=100)
    assert (recognizer.max_pages, recognizer.max_image_pixels, recognizer.dpi) == (1, 10_000, 100)
    pdf = tmp_path / "two.pdf"
    pdf.write_bytes(make_pdf([[LOREM], [LOREM]]))
    with pytest.raises(InputTooLargeError, match="2 pages"):
        recognizer(pdf)
    with pytest.raises(InputTooLargeError, match="10000 pixels"):
        recognizer(Image.new("L", (200, 200), 255))


def test_text_recognizer_keeps_rapidocr_quiet() -> None:
    """RapidOCR's INFO/WARNING lines ("Using engine", "result is empty") are not emitted.

    RapidOCR logs through its own stderr handler and resets its level on every
    construction, so a handler added here sees exactly what users would see.
    """
    pytest.importorskip("rapidocr")
    from scipix_search.ocr import TextRecognizer

    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append  # type: ignore[method-assign]
    rapid_logger = logging.getLogger("RapidOCR")
    rapid_logger.addHandler(handler)
    try:
        recognizer = TextRecognizer()
        assert recognizer.read_array(np.full((64, 256), 255, dtype=np.uint8)) == []
    finally:
        rapid_logger.removeHandler(handler)
    assert [record.getMessage() for record in seen] == []
