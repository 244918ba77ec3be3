"""RapidOCR's line detector reads a page at most DET_MAX_SIDE long, and still enlarges small
images to RapidOCR's own 736 px shorter side (the limit follows each thread's image); its
input, normalised by a table of grey levels, is RapidOCR's own bit for bit."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("rapidocr")

from scipix_search.ocr import _rapidocr  # noqa: E402
from scipix_search.ocr._rapidocr import DET_MIN_SIDE  # noqa: E402
from scipix_search.ocr._text_det import TablePreprocess  # noqa: E402


def _limit(shape: tuple[int, int]) -> tuple[int, str]:
    detector = SimpleNamespace(mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])
    _rapidocr._limit_detector(detector)
    _rapidocr._DET_LIMIT.shape = shape
    op = detector.get_preprocess()
    return op.limit_side_len, op.limit_type


def test_a_page_is_read_at_most_det_max_side_and_a_small_image_is_enlarged() -> None:
    assert _limit((2200, 1700)) == (_rapidocr.DET_MAX_SIDE, "max")  # a 200-dpi page
    assert _limit((300, 900)) == (_rapidocr.DET_MIN_SIDE, "min")  # a few lines cut from a page
    # a long strip: its shorter side at RapidOCR's 2000 px working size is what counts
    assert _limit((800, 4000)) == (_rapidocr.DET_MIN_SIDE, "min")


def test_each_thread_keeps_its_own_image() -> None:
    detector = SimpleNamespace(mean=None, std=None)
    _rapidocr._limit_detector(detector)
    _rapidocr._DET_LIMIT.shape = (2200, 1700)
    seen = []

    def other() -> None:
        _rapidocr._DET_LIMIT.shape = (300, 900)
        seen.append(detector.get_preprocess().limit_type)

    worker = threading.Thread(target=other)
    worker.start()
    worker.join()
    assert seen == ["min"] and detector.get_preprocess().limit_type == "max"


def test_the_table_gives_rapidocrs_own_detector_input_bit_for_bit() -> None:
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    rng = np.random.default_rng(0)
    page = rng.integers(0, 256, size=(900, 700, 3), dtype=np.uint8)
    for mean, std in (
        ([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]),
        ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ):
        op = DetPreProcess(DET_MIN_SIDE, "min", mean, std)
        ours = TablePreprocess(op)(page)
        theirs = op(page)
        assert ours is not None and theirs is not None
        assert ours.dtype == theirs.dtype == np.float32
        assert np.array_equal(ours, theirs)
