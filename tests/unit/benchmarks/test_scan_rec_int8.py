"""benchmarks/scan_rec_int8.py's SmoothQuant step moves scale from a convolution's input
channels into its weights: in float the model must answer as before."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from benchmarks.scan_rec_int8 import smooth  # noqa: E402


def _model(rng: np.random.Generator) -> object:
    """x -> 1x1 conv -> x * x (a Mul, as a GELU ends) -> 1x1 conv."""
    from onnx import TensorProto, helper, numpy_helper

    first = rng.normal(size=(6, 3, 1, 1)).astype(np.float32)
    second = rng.normal(size=(4, 6, 1, 1)).astype(np.float32)
    # channels of the Mul's output on scales 100x apart, as the recognizer's GELU outputs are
    first *= np.geomspace(0.1, 10, 6).astype(np.float32)[:, None, None, None]
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w1"], ["h"], name="Conv.0"),
            helper.make_node("Mul", ["h", "h"], ["g"], name="Mul.0"),
            helper.make_node("Conv", ["g", "w2"], ["y"], name="Conv.1"),
        ],
        "probe",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 2, None])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(first, "w1"), numpy_helper.from_array(second, "w2")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_smoothing_keeps_the_float_outputs() -> None:
    rng = np.random.default_rng(3)
    model = _model(rng)
    inputs = [rng.normal(size=(1, 3, 2, width)).astype(np.float32) for width in (5, 9, 7)]
    before = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    expected = [before.run(None, {"x": x})[0] for x in inputs]
    weights = {t.name: t for t in model.graph.initializer}
    unscaled = onnx.numpy_helper.to_array(weights["w2"]).copy()
    smooth(model, [node for node in model.graph.node if node.name == "Conv.1"], inputs, 0.5)
    assert [node.op_type for node in model.graph.node] == ["Conv", "Mul", "Mul", "Conv"]
    assert not np.allclose(onnx.numpy_helper.to_array(weights["w2"]), unscaled)
    after = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for x, want in zip(inputs, expected, strict=True):
        np.testing.assert_allclose(after.run(None, {"x": x})[0], want, rtol=1e-4, atol=1e-4)


def test_the_recognizer_model_scores_the_classes_the_text_ocr_decodes() -> None:
    pytest.importorskip("rapidocr")
    from scipix_search.ocr import TextRecognizer, rapidocr_recognizer_model

    path, data = rapidocr_recognizer_model()
    classes = onnx.load_from_string(data).graph.output[0].type.tensor_type.shape.dim[-1]
    decoder = TextRecognizer()._engine.text_rec.postprocess_op
    assert classes.dim_value == len(decoder.character) < 18710
    assert path.is_file()
