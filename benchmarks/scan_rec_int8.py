"""RapidOCR's text recognizer with its pointwise convolutions in int8, against the float one.

    python benchmarks/scan_rec_int8.py [--half dev] [--min-channels 192] [--no-after-gelu]
        [--save rec.int8.onnx]

Not on the ingestion path: this keeps the recipe measured for issue 13 (docs/scans.md,
scanspeed2) reproducible. The recognizer of the rapidocr wheel, its CJK classes cut as
``TextRecognizer`` cuts them, converted to opset 13 (per-channel weights need it) and quantised
by ONNX Runtime (static QDQ, MinMax, activations uint8 per tensor, weights int8 per output
channel) at the 1x1 convolutions whose input and output channel counts are both at least
``--min-channels`` (``--no-after-gelu``: not those reading a GELU's output, whose long tail
is where the int8 reads part from the float ones; ``--smooth`` their SmoothQuant alpha,
0.5 by default, 0 for none). Calibration: the recognizer's own inputs on
the three ``samples/`` papers degraded as scans (never the benchmark's papers). Then both
recognizers read every page of the half (``scan_text.py``'s scans, levelled), one after the
other per page: CER of the lines outside the displays (as ``scan_text.py``), lines read
otherwise, and the recognizer session's CPU seconds a page.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import ROOT, code_version  # noqa: E402
from benchmarks.scan_text import levelled_scans, page_edits_of  # noqa: E402
from scipix_search.eval import degrade_page, print_table, render_page  # noqa: E402
from scipix_search.ocr import TextRecognizer, deskew, rapidocr_recognizer_model  # noqa: E402
from scipix_search.onnx import make_session  # noqa: E402


class _Timed:
    """An ONNX Runtime session that sums its CPU seconds and may keep its inputs."""

    def __init__(self, session: Any, keep: bool = False) -> None:
        self.session, self.cpu, self.inputs, self.keep = session, 0.0, [], keep

    def run(self, outputs: Any, feed: dict[str, np.ndarray], *args: Any, **kwargs: Any) -> Any:
        if self.keep:
            self.inputs.append(next(iter(feed.values())).copy())
        start = time.process_time()
        result = self.session.run(outputs, feed, *args, **kwargs)
        self.cpu += time.process_time() - start
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


def _timed(reader: TextRecognizer, keep: bool = False) -> _Timed:
    recognizer = reader._engine.text_rec
    recognizer.session.session = _Timed(recognizer.session.session, keep)
    return recognizer.session.session


def calibration_inputs(reader: TextRecognizer) -> list[np.ndarray]:
    """The recognizer's inputs on every page of ``samples/*.pdf``, degraded as scans."""
    timed = _timed(reader, keep=True)
    for index, pdf in enumerate(sorted((ROOT / "samples").glob("*.pdf"))):
        rng = np.random.default_rng(7 + index)
        with pymupdf.open(pdf) as document:
            for page in range(document.page_count):
                data = degrade_page(render_page(document, page, 200), 200, rng)
                reader.read_array(
                    deskew(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))[0]
                )
    recognizer = reader._engine.text_rec
    recognizer.session.session = timed.session
    return timed.inputs


def smooth(model: Any, convs: list[Any], inputs: list[np.ndarray], alpha: float) -> None:
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


def quantise(
    inputs: list[np.ndarray], out: Path, min_channels: int, after_gelu: bool, alpha: float
) -> tuple[Path, int]:
    """The int8 recognizer at ``out`` and how many convolutions it quantised."""
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    model = version_converter.convert_version(
        onnx.load_from_string(rapidocr_recognizer_model()[1]), 13
    )
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
        smooth(model, gelu_fed, inputs, alpha)
    source = out.with_suffix(".opset13.onnx")
    onnx.save(model, str(source))

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter(inputs)

        def get_next(self) -> dict[str, np.ndarray] | None:
            item = next(self.items, None)
            return None if item is None else {"x": item}

    quantize_static(
        str(source),
        str(out),
        Reader(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        nodes_to_quantize=nodes,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        calibrate_method=CalibrationMethod.MinMax,
    )
    source.unlink()
    return out, len(nodes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--pages", type=int, default=1, help="pages with displays per paper")
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--min-channels", type=int, default=192)
    parser.add_argument("--no-after-gelu", dest="after_gelu", action="store_false")
    parser.add_argument(
        "--smooth", type=float, default=0.5, help="SmoothQuant alpha after GELU (0: none)"
    )
    parser.add_argument("--save", type=Path, help="keep the int8 recognizer here")
    args = parser.parse_args()

    scans = levelled_scans(args.half, args.pages, args.dpi)
    base = TextRecognizer()
    with tempfile.TemporaryDirectory() as folder:
        out = args.save or Path(folder) / "rec.int8.onnx"
        _, count = quantise(
            calibration_inputs(base), out, args.min_channels, args.after_gelu, args.smooth
        )
        int8 = TextRecognizer()
        int8._engine.text_rec.session.session = make_session(out, "cpu", threads=1)
    readers = [("float", base, _timed(base)), (f"int8 ({count} convs)", int8, _timed(int8))]
    edits = {name: 0 for name, _, _ in readers}
    reads: dict[str, list[str]] = {name: [] for name, _, _ in readers}
    chars = 0
    for _label, pixels, truth, text in scans:
        chars += len(text)
        for name, reader, _ in readers:  # one after the other per page: the same load
            lines = reader.read_array(pixels)
            edits[name] += page_edits_of(lines, truth, text, args.dpi)
            reads[name].extend(line.text for line in lines)
    pages = max(len(scans), 1)
    floats = set(reads["float"])
    rows = [
        (
            name,
            f"{edits[name] / max(chars, 1):.4f}",
            f"{len(set(reads[name]) - floats)} / {len(reads[name])}",
            f"{timed.cpu / pages:.2f}",
        )
        for name, _, timed in readers
    ]
    print_table(
        ["recognizer", "CER", "lines not read as float", "rec CPU s/page"],
        rows,
        title=(
            f"Text recognizer float vs int8, {len(scans)} scans ({args.half} half), {args.dpi} dpi, "
            f">= {args.min_channels} channels{'' if args.after_gelu else ', not after GELU'}, "
            f"smooth {args.smooth}; "
            f"code {code_version()}; load {os.getloadavg()[0]:.1f}"
        ),
    )


if __name__ == "__main__":
    main()
