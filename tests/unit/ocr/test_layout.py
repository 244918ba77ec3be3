"""The layout detector: the pinned model file, its boxes on a real rendered page, bad images."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from scipix_search.config import Settings
from scipix_search.exceptions import CorruptInputError, InputError, MissingDependencyError
from scipix_search.ocr import LAYOUT_CLASSES, FormulaDetector
from scipix_search.ocr._layout import default_layout_model
from scipix_search.pipeline import Models

pytestmark = pytest.mark.model

FIXTURE_PDF = Path(__file__).resolve().parents[2] / "fixtures" / "pdf" / "inline_math.pdf"
README = Path(__file__).resolve().parents[3] / "models" / "README.md"


@pytest.fixture(scope="module")
def detector() -> FormulaDetector:
    try:
        return FormulaDetector(threads=1)
    except MissingDependencyError as exc:
        pytest.skip(str(exc))


def _render(pdf: Path, page: int, dpi: int) -> np.ndarray:
    with pymupdf.open(pdf) as document:
        pixmap = document[page].get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB)
    pixels = np.frombuffer(pixmap.samples, dtype=np.uint8)
    return pixels.reshape(pixmap.height, pixmap.width, pixmap.n)[:, :, :3]


def test_layout_model_file_is_the_one_pinned_in_models_readme(detector: FormulaDetector) -> None:
    digest = hashlib.sha256(default_layout_model().read_bytes()).hexdigest()
    assert digest in README.read_text(encoding="utf-8")


def test_layout_classes_are_the_models_own(detector: FormulaDetector) -> None:
    meta = detector._session.get_modelmeta().custom_metadata_map
    assert tuple(meta["character"].splitlines()) == LAYOUT_CLASSES


def test_detect_on_a_rendered_page_gives_sorted_regions_inside_the_image(
    detector: FormulaDetector,
) -> None:
    pixels = _render(FIXTURE_PDF, 0, 150)
    regions = detector.detect(pixels)
    height, width = pixels.shape[:2]
    assert regions, "a page of prose has text regions"
    assert {r.kind for r in regions} <= set(LAYOUT_CLASSES)
    assert "text" in {r.kind for r in regions}
    for region in regions:
        x0, y0, x1, y1 = region.bbox
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        assert detector.min_confidence < region.confidence <= 1
    assert [r.bbox[1] for r in regions] == sorted(r.bbox[1] for r in regions)
    # The page holds inline math only: no display equation may be boxed.
    assert detector.equations(pixels) == []


def test_detect_scales_boxes_to_the_image_given(detector: FormulaDetector) -> None:
    """The same page at two resolutions gives the same boxes in page units."""
    low, high = (detector.detect(_render(FIXTURE_PDF, 0, dpi)) for dpi in (100, 200))
    big_low = max(low, key=lambda r: (r.bbox[2] - r.bbox[0]) * (r.bbox[3] - r.bbox[1]))
    big_high = max(high, key=lambda r: (r.bbox[2] - r.bbox[0]) * (r.bbox[3] - r.bbox[1]))
    assert big_low.kind == big_high.kind
    assert np.allclose(np.array(big_low.bbox) * 2, big_high.bbox, atol=0.03 * 2 * 595)


def test_detect_takes_paths_bytes_and_grey_images(
    detector: FormulaDetector, tmp_path: Path
) -> None:
    grey = Image.fromarray(_render(FIXTURE_PDF, 0, 100)).convert("L")
    path = tmp_path / "page.png"
    grey.save(path)
    buffer = io.BytesIO()
    grey.save(buffer, format="PNG")
    by_array = detector.detect(np.asarray(grey))
    assert detector.detect(path) == detector.detect(buffer.getvalue()) == by_array


def test_detect_blank_and_degenerate_images_find_nothing(detector: FormulaDetector) -> None:
    assert detector.detect(np.full((1100, 850), 255, dtype=np.uint8)) == []
    assert detector.equations(np.zeros((1, 1), dtype=np.uint8)) == []
    assert isinstance(detector.detect(np.full((20, 3000), 255, dtype=np.uint8)), list)


def test_detect_refuses_bad_input(detector: FormulaDetector) -> None:
    with pytest.raises(CorruptInputError):
        detector.detect(b"")
    with pytest.raises(CorruptInputError):
        detector.detect(b"II*\x00" + b"\x00" * 20)  # a TIFF header with nothing behind it
    with pytest.raises(InputError):
        detector.detect(np.zeros((0, 5), dtype=np.uint8))


def test_models_build_the_detector_once_with_its_settings(tmp_path: Path) -> None:
    models = Models(Settings(data_dir=tmp_path, layout_min_confidence=0.7))
    try:
        first = models.formula_detector
    except MissingDependencyError as exc:
        pytest.skip(str(exc))
    assert models.formula_detector is first
    assert first.min_confidence == 0.7
    assert models.built() == ["formula_detector"]
