"""Page text OCR takes its limits from the settings it is built from (RapidOCR loads: ~5 s)."""

from __future__ import annotations

from pathlib import Path

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
