"""Execution-provider choice."""

from __future__ import annotations

import pytest

from scipix_search.exceptions import ModelNotFoundError, OCRError
from scipix_search.ocr._onnx import choose_providers


def test_choose_providers() -> None:
    cpu_only = ["CPUExecutionProvider"]
    both = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert choose_providers("auto", cpu_only) == cpu_only
    assert choose_providers("auto", both) == both
    assert choose_providers("cpu", both) == cpu_only
    assert choose_providers("cuda", both) == both
    with pytest.raises(OCRError, match="CUDA"):
        choose_providers("cuda", cpu_only)


def test_recognizer_without_model(tmp_path) -> None:
    from scipix_search.ocr import LatexRecognizer

    with pytest.raises(ModelNotFoundError, match="models build"):
        LatexRecognizer(tmp_path)
