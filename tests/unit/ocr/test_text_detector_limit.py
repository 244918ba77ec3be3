"""RapidOCR's line detector reads a page at most DET_MAX_SIDE long, and still enlarges small
images to RapidOCR's own 736 px shorter side (the limit follows each thread's image)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

pytest.importorskip("rapidocr")

from scipix_search.ocr import _text  # noqa: E402


def _limit(shape: tuple[int, int]) -> tuple[int, str]:
    detector = SimpleNamespace(mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])
    _text._limit_detector(detector)
    _text._DET_LIMIT.shape = shape
    op = detector.get_preprocess()
    return op.limit_side_len, op.limit_type


def test_a_page_is_read_at_most_det_max_side_and_a_small_image_is_enlarged() -> None:
    assert _limit((2200, 1700)) == (_text.DET_MAX_SIDE, "max")  # a 200-dpi page
    assert _limit((300, 900)) == (_text.DET_MIN_SIDE, "min")  # a few lines cut from a page
    # a long strip: its shorter side at RapidOCR's 2000 px working size is what counts
    assert _limit((800, 4000)) == (_text.DET_MIN_SIDE, "min")


def test_each_thread_keeps_its_own_image() -> None:
    detector = SimpleNamespace(mean=None, std=None)
    _text._limit_detector(detector)
    _text._DET_LIMIT.shape = (2200, 1700)
    seen = []

    def other() -> None:
        _text._DET_LIMIT.shape = (300, 900)
        seen.append(detector.get_preprocess().limit_type)

    worker = threading.Thread(target=other)
    worker.start()
    worker.join()
    assert seen == ["min"] and detector.get_preprocess().limit_type == "max"
