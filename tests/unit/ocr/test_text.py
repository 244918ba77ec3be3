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


def test_rapidocr_runs_on_the_package_sessions() -> None:
    """RapidOCR's three models run on sessions of `onnx.make_session` (idle threads sleep),
    one thread each (a second one cost the line detector CPU for the same boxes; the
    recognizer reads one line a run), and a typed line still reads as its text."""
    pytest.importorskip("rapidocr")
    from PIL import ImageDraw, ImageFont

    from scipix_search.ocr import TextRecognizer

    recognizer = TextRecognizer(device="cpu")
    engine = recognizer._engine
    for part in (engine.text_det, engine.text_cls, engine.text_rec):
        options = part.session.session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
        assert options.intra_op_num_threads == 1
    assert engine.text_rec.rec_batch_num == 1
    assert engine.use_cls is False, "levelled pages: no angle classifier turning lines over"
    image = Image.new("L", (900, 120), 255)
    font = ImageFont.load_default(size=40)
    ImageDraw.Draw(image).text((20, 30), "Scanned pages are read", fill=0, font=font)
    lines = sorted(recognizer.read_array(np.asarray(image)), key=lambda line: line.bbox[0])
    text = " ".join(line.text for line in lines)
    assert "Scanned" in text
    assert "pages are read" in text
