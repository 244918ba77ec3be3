"""RapidOCR, the default text OCR engine: its wheel's ONNX models started in this package's
sessions, its line detector limited to a page's working size, its recognizer cut to the
Latin classes (or read from the int8 copy built from that cut, ``_text_int8.py``).

Split out of ``ocr/_text.py``, whose :class:`~scipix_search.ocr._text.TextRecognizer` runs
it (or Tesseract) behind one interface.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from scipix_search.config import default_model_dir
from scipix_search.exceptions import MissingDependencyError, OCRError
from scipix_search.onnx import make_session

logger = logging.getLogger(__name__)

_INSTALL_HINT = "text OCR (SCIPIX_TEXT_OCR=rapidocr) needs RapidOCR: pip install 'rapidocr==3.10.0'"

# RapidOCR's line detector reads a page at its whole working size (up to 2000 px) and cost as
# much CPU as its recognizer; at most this long, a scanned page's lines and the displays found
# from them held (benchmarks: docs/ARCHITECTURE.md, scans7). Images whose shorter side is under
# RapidOCR's own 736 px are still enlarged to it, as RapidOCR does.
DET_MAX_SIDE = 1600
DET_MIN_SIDE = 736
RAPIDOCR_MAX_SIDE = 2000

#: The ONNX models of the rapidocr 3.10.0 wheel (its ``models`` folder), by RapidOCR stage.
RAPIDOCR_MODELS = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}


def start_rapidocr(device: str, cjk: bool, int8: Path | None = None) -> Any:
    """RapidOCR on the wheel's own models, each session this package's (one thread, asleep
    when idle), its detector limited (:func:`_limit_detector`) and, without ``cjk``, its
    recognizer scoring the Latin classes alone (``int8``: the built copy that does).

    Raises:
        MissingDependencyError: rapidocr is not installed.
        OCRError: RapidOCR cannot start.
    """
    try:
        import rapidocr
        from rapidocr import RapidOCR
    except ImportError as exc:
        raise MissingDependencyError(_INSTALL_HINT, package="rapidocr") from exc
    # RapidOCR sets its own logger (a stderr handler, not propagated) to the
    # config's level on every construction, INFO by default: its "Using engine"
    # and "detection result is empty" lines would reach users of `ocr` and
    # `ingest`. Only errors, unless this project logs at DEBUG.
    verbose = logging.getLogger("scipix_search").isEnabledFor(logging.DEBUG)
    folder = Path(rapidocr.__file__).parent / "models"
    params: dict[str, Any] = {
        "Global.log_level": "debug" if verbose else "error",
        # One line a recognizer run: a batch pads every line to its widest, and a page's
        # lines run from `(3)` to a column's width (6 lines a batch: 1.7x the seconds).
        "Rec.rec_batch_num": 1,
        # No angle classifier: the pages read here are levelled (``deskew``) and upright,
        # and without it the scanned dev half read better (CER 0.118 -> 0.102; held out
        # 0.065 -> 0.066, typeset pages unchanged; docs/ARCHITECTURE.md, scans7).
        "Global.use_cls": False,
    }
    # The wheel's own files, named: RapidOCR downloads a model it does not find.
    params.update(
        {f"{stage}.model_path": str(folder / name) for stage, name in RAPIDOCR_MODELS.items()}
    )
    try:
        engine = RapidOCR(params=params)
        parts = (engine._load_det_model(), engine._load_cls_model(), engine._load_rec_model())
    except Exception as exc:  # rapidocr raises its own untyped errors
        raise OCRError(f"cannot start RapidOCR: {exc}") from exc
    # RapidOCR's sessions spin idle threads and count the host's cores: each stage then
    # held a core the next one (and the formula OCR) lacked. The package's one session
    # factory instead (sleeping when idle), one thread each: the line detector on two
    # threads took 12 % more CPU for the same boxes (0.97 -> 0.86 CPU s a page, six dev
    # scans, interleaved, load 9), the classifier is off (``Global.use_cls``).
    for part, name in zip(parts[:2], (RAPIDOCR_MODELS["Det"], RAPIDOCR_MODELS["Cls"]), strict=True):
        part.session.session = make_session(folder / name, device, threads=1, error=OCRError)
    _limit_detector(parts[0])
    # The recognizer reads one line a run: a hundred small kernels, and waking a second
    # core for each cost more CPU than it saved (the formula decoder's case). Its last
    # layer scores every position of a line over all its classes.
    recognizer = parts[2]
    keep = None if cjk else _latin_classes(recognizer.postprocess_op.character)
    if int8 is not None:  # built from the cut model: its classes are ``keep``
        recognizer.session.session = make_session(int8, device, threads=1, error=OCRError)
    else:
        recognizer.session.session = make_session(
            folder / RAPIDOCR_MODELS["Rec"],
            device,
            threads=1,
            error=OCRError,
            model=None if keep is None else _cut_classes(folder / RAPIDOCR_MODELS["Rec"], keep),
        )
    if keep is not None:
        decode = recognizer.postprocess_op
        decode.character = [decode.character[i] for i in keep]
        decode.dict = {char: i for i, char in enumerate(decode.character)}
    return engine


def run_rapidocr(engine: Any, pixels: np.ndarray) -> Any:
    """RapidOCR's output for an ``HxWx3`` uint8 image, its detector limited for this image.

    Raises:
        OCRError: RapidOCR failed.
    """
    _DET_LIMIT.shape = pixels.shape[:2]
    try:
        return engine(np.ascontiguousarray(pixels))
    except Exception as exc:  # rapidocr raises its own untyped errors
        raise OCRError(f"RapidOCR failed: {exc}") from exc


# The image each thread is reading (its shape), for its detector limit: one engine serves the
# API's request threads and its worker.
_DET_LIMIT = threading.local()


def _limit_detector(detector: Any) -> None:
    """RapidOCR's line detector reads at most :data:`DET_MAX_SIDE` px, except images whose
    shorter side (at RapidOCR's working size) is under :data:`DET_MIN_SIDE`, which it enlarges
    to that as before; its input normalised by a table of the grey levels (``_text_det``)."""
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    from scipix_search.ocr._text_det import TablePreprocess

    def preprocess() -> Any:
        height, width = getattr(_DET_LIMIT, "shape", (0, 0))
        scale = min(1.0, RAPIDOCR_MAX_SIDE / max(height, width, 1))
        if min(height, width) * scale < DET_MIN_SIDE:
            op = DetPreProcess(DET_MIN_SIDE, "min", detector.mean, detector.std)
        else:
            op = DetPreProcess(DET_MAX_SIDE, "max", detector.mean, detector.std)
        return TablePreprocess(op)

    detector.get_preprocess = preprocess


def int8_recognizer(device: str, cjk: bool, model_dir: Path | str | None) -> Path | None:
    """The built int8 recognizer to read with, or None where the float one is read."""
    from scipix_search.ocr._text_int8 import int8_recognizer_path
    from scipix_search.onnx import CUDA, choose_providers, import_onnxruntime

    on_cuda = CUDA in choose_providers(device, import_onnxruntime().get_available_providers())
    if cjk or on_cuda:
        # the copy scores the Latin classes alone, and its int8 convolutions were measured on
        # the CPU only
        logger.info("text OCR reads with the float recognizer (%s)", "cjk" if cjk else "CUDA")
        return None
    return int8_recognizer_path(Path(model_dir) if model_dir is not None else default_model_dir())


def rapidocr_recognizer_file() -> Path:
    """The rapidocr wheel's recognizer file.

    Raises:
        MissingDependencyError: rapidocr is not installed.
    """
    try:
        import rapidocr
    except ImportError as exc:
        raise MissingDependencyError(_INSTALL_HINT, package="rapidocr") from exc
    return Path(rapidocr.__file__).parent / "models" / RAPIDOCR_MODELS["Rec"]


def rapidocr_recognizer_model() -> tuple[Path, bytes]:
    """The rapidocr wheel's recognizer file and the model :class:`TextRecognizer` runs from
    it by default (its CJK classes cut): what an offline variant of it (int8) starts from.

    Raises:
        MissingDependencyError: rapidocr is not installed.
    """
    try:
        import onnx
        from rapidocr.ch_ppocr_rec.utils import CTCLabelDecode
    except ImportError as exc:
        raise MissingDependencyError(_INSTALL_HINT, package="rapidocr") from exc
    path = rapidocr_recognizer_file()
    meta = {prop.key: prop.value for prop in onnx.load(str(path)).metadata_props}
    # the decoder's classes as RapidOCR builds them (CTC's blank first, the space last)
    classes = CTCLabelDecode(character=meta["character"].splitlines()).character
    return path, _cut_classes(path, _latin_classes(classes))


# Code points of CJK scripts: radicals, kana, ideographs (and extension A), hangul,
# compatibility ideographs and forms, and the supplementary ideograph planes. Not CJK
# punctuation (U+3000-303F): the recognizer reads a formula's angle brackets as its
# 〈 〉 and a much-less-than as 《 (cut, 〈Nat0〉 read (Nat0>).
_CJK = (
    (0x1100, 0x11FF),
    (0x2E80, 0x2FDF),
    (0x3040, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0x20000, 0x10FFFF),
)


def _latin_classes(characters: list[str]) -> list[int]:
    """Indices of the recognizer's classes that are no CJK character (CTC's blank and
    the space included)."""
    return [
        i
        for i, char in enumerate(characters)
        if len(char) != 1 or not any(lo <= ord(char) <= hi for lo, hi in _CJK)
    ]


def _cut_classes(path: Path, keep: list[int]) -> bytes:
    """The recognizer at ``path`` scoring the classes ``keep`` alone: its last MatMul and
    bias (before the softmax) cut to those columns. The kept classes' scores are the same
    logits; the softmax is over fewer of them, so a line's probabilities rise a little."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    made = {out: node for node in graph.node for out in node.output}
    softmax = [node for node in graph.node if node.op_type == "Softmax"][-1]
    bias = made[softmax.input[0]]
    while bias.op_type != "Add":  # an Identity between them in the wheel's model
        bias = made[bias.input[0]]
    matmul = made[bias.input[0]]
    if matmul.op_type != "MatMul":
        raise OCRError(f"{path.name}: no MatMul + Add before its softmax")
    weights = {tensor.name: tensor for tensor in graph.initializer}
    for name in (matmul.input[1], bias.input[1]):
        values = numpy_helper.to_array(weights[name])
        weights[name].CopyFrom(
            numpy_helper.from_array(np.ascontiguousarray(values[..., keep]), name)
        )
    del graph.value_info[:]  # shapes inferred for the whole class axis
    for output in graph.output:
        output.type.tensor_type.shape.dim[-1].dim_value = len(keep)
    return model.SerializeToString()
