"""The int8 text recognizer (``ocr/_text_int8.py``): its SmoothQuant step keeps the float
model's answers, the built model reads scans as the float one does, and a missing or damaged
build is an error, never a float model in its place."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf
import pytest

from scipix_search.eval import paper_folders, scan_pdf
from scipix_search.ingest import render_page

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from scipix_search.ocr import smooth_convolutions  # noqa: E402


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
    smooth_convolutions(
        model, [node for node in model.graph.node if node.name == "Conv.1"], inputs, 0.5
    )
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
    decoder = TextRecognizer(precision="fp32")._engine.text_rec.postprocess_op
    assert classes.dim_value == len(decoder.character) < 18710
    assert path.is_file()


@pytest.fixture(scope="module")
def int8_model() -> Path:
    pytest.importorskip("rapidocr")
    from scipix_search.config import Settings
    from scipix_search.ocr import build_text_recognizer_int8

    return build_text_recognizer_int8(Settings().model_dir)  # a no-op once built


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.slow
def test_the_built_int8_recognizer_reads_scans_like_the_float_one(
    int8_model: Path, shared_dir: Path
) -> None:
    """The first page of each held-out paper (odd positions, never calibrated on: the
    calibration pages are samples/), scanned at 200 dpi and levelled: the int8 reads differ
    from the float reads by at most 2 % of the characters (measured 0.3 % on the dev scans),
    and both read the page's text layer about as well."""
    from scipix_search.math import levenshtein
    from scipix_search.ocr import TextRecognizer, deskew

    fp32, int8 = TextRecognizer(precision="fp32"), TextRecognizer(precision="int8")
    assert int8.recognizer_path == int8_model != fp32.recognizer_path
    papers = sorted(paper_folders(shared_dir / "papers"), key=lambda p: p.name)[1::2][:3]
    changed = chars = 0
    for index, paper in enumerate(papers):
        with pymupdf.open(stream=scan_pdf(paper.pdf, [0], 200, seed=500 + index)) as scan:
            pixels = deskew(render_page(scan[0], 200))[0]
        want = "\n".join(line.text for line in fp32.read_array(pixels))
        got = "\n".join(line.text for line in int8.read_array(pixels))
        changed += levenshtein(list(want), list(got))
        chars += len(want)
    assert chars > 3000, chars
    assert changed / chars <= 0.02, (changed, chars)


def test_int8_not_built_is_an_error_that_says_what_to_run(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr")
    from scipix_search.exceptions import MissingDependencyError
    from scipix_search.ocr import TextRecognizer

    with pytest.raises(MissingDependencyError, match="models build"):
        TextRecognizer(precision="int8", model_dir=tmp_path)
    # the float model needs no build, and CJK reading takes it (the int8 copy is Latin only)
    TextRecognizer(precision="fp32", model_dir=tmp_path)
    TextRecognizer(precision="int8", model_dir=tmp_path, cjk=True)


def test_a_damaged_int8_build_is_refused(int8_model: Path, tmp_path: Path) -> None:
    import shutil

    from scipix_search.exceptions import MissingDependencyError
    from scipix_search.ocr import TextRecognizer

    copy = tmp_path / int8_model.parent.name
    shutil.copytree(int8_model.parent, copy)
    with (copy / int8_model.name).open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\0" * 64)
    with pytest.raises(MissingDependencyError, match="damaged"):
        TextRecognizer(precision="int8", model_dir=tmp_path)
