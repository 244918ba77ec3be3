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


def _identity_model(path) -> None:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    value = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [value], [out])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


def test_make_session_does_not_spin_by_default(tmp_path) -> None:
    from scipix_search.ocr._onnx import make_session

    path = tmp_path / "identity.onnx"
    _identity_model(path)
    key = "session.intra_op.allow_spinning"
    quiet = make_session(path, "cpu", 2).get_session_options()
    busy = make_session(path, "cpu", 2, spinning=True).get_session_options()
    assert quiet.get_session_config_entry(key) == "0"
    assert busy.get_session_config_entry(key) == "1"
