"""RapidOCR's text recognizer with its large pointwise convolutions in int8, built offline.

``scipix-search models build`` writes it into ``Settings.model_dir`` (:data:`SUBDIR`) from the
rapidocr wheel's own recognizer; :class:`~scipix_search.ocr.TextRecognizer` reads scans with it
on the CPU by default (``Settings.text_ocr_precision``). The recipe (docs/scans.md, scanspeed2;
``benchmarks/scan_rec_int8.py`` scores it against float):

* the wheel's recognizer with its CJK classes cut (what the float path runs), converted to
  opset 13 so that weights can be quantised per output channel;
* SmoothQuant (alpha 0.5) before the 1x1 convolutions that read a GELU's output: their input
  channels' ranges differ 25-fold with a long tail, which one per-tensor uint8 scale served
  badly (held-out CER 0.0647 -> 0.0701 without it, 0.0664 with it);
* static QDQ (ONNX Runtime, MinMax) on the 19 1x1 convolutions whose input and output channel
  counts are both >= 192 (two thirds of the recognizer's time): uint8 activations per tensor,
  int8 weights per channel; every other node stays float;
* calibrated on the recognizer's own inputs over the three ``samples/`` papers rendered at
  200 dpi and degraded as scans (never a benchmark paper).

The build checks the int8 model's reads of those pages against the float ones
(:data:`MAX_CHAR_CHANGE`). The folder's manifest names the wheel model it was built from and
:data:`RECIPE`; a folder built from another wheel or recipe is stale, and loading it is an
error that says to rebuild, never a silent fall back to float.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from scipix_search.exceptions import MissingDependencyError, OCRError
from scipix_search.ocr._build import sha256_file

logger = logging.getLogger(__name__)

SUBDIR = "rapidocr-rec-int8"
MODEL_FILE = "rec.int8.onnx"
MANIFEST = "manifest.json"
RECIPE = "opset13-qdq-minmax-u8act-s8w-per-channel-conv1x1-min192-smooth0.5-samples200dpi-1"
"""Changes whenever the built model would: a folder of another recipe is rebuilt."""
MIN_CHANNELS = 192
SMOOTH_ALPHA = 0.5
CALIBRATION_DPI = 200
MAX_CHAR_CHANGE = 0.02
"""Most characters (edit distance over the float reads' length) the int8 reads of the
calibration pages may differ by; measured 0.3 % on the dev scans (67 of 26,791)."""


def samples_dir() -> Path:
    """The repository's ``samples/`` papers (the calibration pages)."""
    return Path(__file__).resolve().parents[2] / "samples"


class _Capture:
    """An ONNX Runtime session that keeps a copy of each input it is run on."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.inputs: list[np.ndarray] = []

    def run(self, outputs: Any, feed: dict[str, np.ndarray], *args: Any, **kwargs: Any) -> Any:
        self.inputs.append(next(iter(feed.values())).copy())
        return self.session.run(outputs, feed, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


def calibration_pages(folder: Path | None = None) -> list[np.ndarray]:
    """Every page of ``folder/*.pdf`` (default :func:`samples_dir`) rendered at 200 dpi,
    degraded as a scan (seeded) and levelled, as ``HxWx3`` uint8 arrays.

    Raises:
        MissingDependencyError: no sample PDF there (the build runs from a checkout).
    """
    import pymupdf
    from PIL import Image

    from scipix_search.ingest import render_page
    from scipix_search.ocr._deskew import deskew
    from scipix_search.ocr._scanlike import degrade_page

    folder = folder or samples_dir()
    pdfs = sorted(folder.glob("*.pdf"))
    if not pdfs:
        raise MissingDependencyError(
            f"the int8 text recognizer calibrates on the sample papers, none in {folder}: "
            "run `scipix-search models build` from a checkout of scipix-search",
            path=str(folder),
        )
    pages = []
    for index, pdf in enumerate(pdfs):
        rng = np.random.default_rng(7 + index)
        with pymupdf.open(pdf) as document:
            for number in range(document.page_count):
                rendered = render_page(document[number], CALIBRATION_DPI)
                data = degrade_page(rendered, CALIBRATION_DPI, rng)
                pages.append(deskew(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))[0])
    return pages


def calibration_inputs(reader: Any, pages: list[np.ndarray]) -> list[np.ndarray]:
    """The recognizer's inputs (one line crop each) when ``reader``, a float RapidOCR
    :class:`~scipix_search.ocr.TextRecognizer`, reads ``pages``."""
    recognizer = reader._engine.text_rec
    capture = _Capture(recognizer.session.session)
    recognizer.session.session = capture
    try:
        for page in pages:
            reader.read_array(page)
    finally:
        recognizer.session.session = capture.session
    return capture.inputs


def smooth_convolutions(
    model: Any, convs: list[Any], inputs: list[np.ndarray], alpha: float
) -> None:
    """SmoothQuant on ``convs`` (1x1, reading a GELU's output): each input channel divided by
    ``amax_x ** alpha / amax_w ** (1 - alpha)`` (a float ``Mul`` before the convolution) and
    the weights multiplied by it, so that the per-tensor activation scale serves channels whose
    ranges differed 25-fold (0.17-4.4 on the calibration lines); the float model's outputs are
    the same up to rounding."""
    import onnx
    import onnxruntime as ort
    from onnx import helper, numpy_helper

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    names = [node.input[0] for node in convs]
    for name in names:
        probe.graph.output.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    amax = {name: np.zeros(1, np.float32) for name in names}
    for item in inputs:
        for name, value in zip(names, session.run(names, {"x": item}), strict=True):
            amax[name] = np.maximum(amax[name], np.abs(value).max(axis=(0, 2, 3)))
    weights = {tensor.name: tensor for tensor in model.graph.initializer}
    for node in convs:
        w = numpy_helper.to_array(weights[node.input[1]])
        scale = np.maximum(amax[node.input[0]], 1e-5) ** alpha / np.maximum(
            np.abs(w).max(axis=(0, 2, 3)), 1e-5
        ) ** (1 - alpha)
        weights[node.input[1]].CopyFrom(
            numpy_helper.from_array(
                (w * scale[None, :, None, None]).astype(np.float32), node.input[1]
            )
        )
        inverse = numpy_helper.from_array(
            (1 / scale).astype(np.float32).reshape(1, -1, 1, 1), f"{node.name}_smooth"
        )
        model.graph.initializer.append(inverse)
        mul = helper.make_node(
            "Mul",
            [node.input[0], inverse.name],
            [f"{node.name}_smoothed"],
            name=f"{node.name}_smooth",
        )
        model.graph.node.insert(list(model.graph.node).index(node), mul)
        node.input[0] = mul.output[0]


def quantise_text_recognizer(
    source: bytes,
    inputs: list[np.ndarray],
    out: Path,
    *,
    min_channels: int = MIN_CHANNELS,
    after_gelu: bool = True,
    alpha: float = SMOOTH_ALPHA,
) -> int:
    """Write the int8 recognizer made from ``source`` (the float model's bytes) to ``out``;
    the number of convolutions quantised. ``after_gelu=False`` leaves the convolutions that
    read a GELU's output in float; ``alpha`` 0 skips the smoothing."""
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    model = version_converter.convert_version(onnx.load_from_string(source), 13)
    weights = {tensor.name: tensor.dims for tensor in model.graph.initializer}
    made = {output: node for node in model.graph.node for output in node.output}
    nodes, gelu_fed = [], []
    for node in model.graph.node:
        dims = weights.get(node.input[1]) if node.op_type == "Conv" else None
        group = [a.i for a in node.attribute if a.name == "group"]
        if dims is None or dims[2:] != [1, 1] or group not in ([], [1]):
            continue
        # a GELU exported from Paddle ends in a Mul (x * 0.5 * (1 + erf(...)))
        fed_by_gelu = node.input[0] in made and made[node.input[0]].op_type == "Mul"
        if min(dims[:2]) >= min_channels and (after_gelu or not fed_by_gelu):
            nodes.append(node.name)
            if fed_by_gelu:
                gelu_fed.append(node)
    if alpha > 0:
        smooth_convolutions(model, gelu_fed, inputs, alpha)
    staged = out.with_suffix(".opset13.onnx")
    onnx.save(model, str(staged))

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter(inputs)

        def get_next(self) -> dict[str, np.ndarray] | None:
            item = next(self.items, None)
            return None if item is None else {"x": item}

    root = logging.getLogger()
    level = root.level
    # ONNX Runtime's quantiser logs "consider pre-processing" on the root logger: advice for
    # its shape inference, which this graph (opset-13 conversion of a static one) does not need
    root.setLevel(max(level, logging.ERROR))
    try:
        quantize_static(
            str(staged),
            str(out),
            Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            nodes_to_quantize=nodes,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod.MinMax,
        )
    finally:
        root.setLevel(level)
        staged.unlink(missing_ok=True)
    return len(nodes)


def _char_change(
    pages: list[np.ndarray], float_read: Callable[[np.ndarray], list[str]], int8_read: Any
) -> float:
    from scipix_search.math import levenshtein

    edits = chars = 0
    for page in pages:
        want, got = "\n".join(float_read(page)), "\n".join(int8_read(page))
        edits += levenshtein(list(want), list(got))
        chars += len(want)
    return edits / max(chars, 1)


def int8_recognizer_path(model_dir: Path) -> Path:
    """The built int8 recognizer in ``model_dir``, checked against the installed wheel's
    recognizer and :data:`RECIPE`.

    Raises:
        MissingDependencyError: not built, built from another wheel or recipe, or its file
            does not match its manifest.
    """
    from scipix_search.ocr._rapidocr import rapidocr_recognizer_file

    folder = Path(model_dir) / SUBDIR
    hint = (
        "run `scipix-search models build`, or read scans with the float recognizer "
        "(SCIPIX_TEXT_OCR_PRECISION=fp32)"
    )
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise MissingDependencyError(
            f"no int8 text recognizer in {folder}: {hint}", path=str(folder)
        ) from exc
    source = rapidocr_recognizer_file()
    path = folder / MODEL_FILE
    if (
        manifest.get("recipe") != RECIPE
        or manifest.get("source_sha256") != sha256_file(source)
        or not path.is_file()
        or sha256_file(path) != manifest.get("sha256")
    ):
        raise MissingDependencyError(
            f"the int8 text recognizer in {folder} was built from another recognizer or "
            f"recipe, or is damaged: {hint}",
            path=str(folder),
        )
    return path


def build_text_recognizer_int8(model_dir: Path, *, force: bool = False) -> Path:
    """Build the int8 recognizer into ``model_dir/`` :data:`SUBDIR` (idempotent: nothing is
    done while the folder is current for the installed wheel and :data:`RECIPE`).

    Returns:
        The built ``.onnx`` file.

    Raises:
        MissingDependencyError: rapidocr, onnx or the sample papers are missing.
        OCRError: quantisation failed, or the int8 reads of the calibration pages differ
            from the float ones by more than :data:`MAX_CHAR_CHANGE`.
    """
    from scipix_search.ocr._rapidocr import rapidocr_recognizer_model
    from scipix_search.ocr._text import TextRecognizer
    from scipix_search.onnx import make_session

    folder = Path(model_dir) / SUBDIR
    if not force:
        try:
            path = int8_recognizer_path(model_dir)
            logger.info("int8 text recognizer in %s is current", folder)
            return path
        except MissingDependencyError:
            pass
    started = time.perf_counter()
    source, model = rapidocr_recognizer_model()
    reader = TextRecognizer(precision="fp32")
    pages = calibration_pages()
    inputs = calibration_inputs(reader, pages)
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = folder.parent / f".{SUBDIR}.{os.getpid()}.building"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        try:
            count = quantise_text_recognizer(model, inputs, stage / MODEL_FILE)
        except Exception as exc:  # onnx / onnxruntime.quantization raise their own types
            raise OCRError(f"cannot build the int8 text recognizer: {exc}") from exc
        int8 = TextRecognizer(precision="fp32")
        int8._engine.text_rec.session.session = make_session(
            stage / MODEL_FILE, "cpu", threads=1, error=OCRError
        )
        change = _char_change(
            pages,
            lambda page: [line.text for line in reader.read_array(page)],
            lambda page: [line.text for line in int8.read_array(page)],
        )
        if change > MAX_CHAR_CHANGE:
            raise OCRError(
                f"the int8 text recognizer reads {change:.1%} of the calibration pages' "
                f"characters otherwise than the float one (at most {MAX_CHAR_CHANGE:.0%})"
            )
        from importlib import metadata

        manifest = {
            "name": "RapidOCR recognizer (PP-OCRv6 small), CJK classes cut, int8",
            "licence": "Apache-2.0",
            "source": f"PyPI rapidocr {metadata.version('rapidocr')} models/{source.name}",
            "source_sha256": sha256_file(source),
            "recipe": RECIPE,
            "quantised_convs": count,
            "calibration_lines": len(inputs),
            "check_char_change": round(change, 5),
            "file": MODEL_FILE,
            "sha256": sha256_file(stage / MODEL_FILE),
            "bytes": (stage / MODEL_FILE).stat().st_size,
            "build_seconds": round(time.perf_counter() - started, 1),
        }
        (stage / MANIFEST).write_text(json.dumps(manifest, indent=2))
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(stage, folder)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    logger.info(
        "built the int8 text recognizer in %.0f s (%d convolutions, calibration pages read "
        "%.2f %% otherwise): %s",
        manifest["build_seconds"],
        count,
        100 * change,
        folder,
    )
    return folder / MODEL_FILE
