"""Text OCR of page images and scanned PDF pages: RapidOCR (default) or Tesseract.

Two engines behind one :class:`TextRecognizer`, chosen by ``Settings.text_ocr``
(``SCIPIX_TEXT_OCR``): ``rapidocr`` runs the PP-OCR ONNX models of the RapidOCR wheel,
``tesseract`` Debian's Tesseract 5 program (``ocr/_tesseract.py``; about a seventh of the CPU
time a page, a little less accurate on scans). A missing engine is an error naming
what to install; one engine never stands in for the other silently.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np

from scipix_search.config import Settings, default_model_dir
from scipix_search.exceptions import (
    CorruptInputError,
    InputTooLargeError,
    MissingDependencyError,
    OCRError,
)
from scipix_search.ingest import magic, render_page
from scipix_search.ocr._images import (
    MAX_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    ImageInput,
    check_readable,
    load_image,
)
from scipix_search.ocr._output import TextLine
from scipix_search.ocr._preprocess import to_gray
from scipix_search.ocr._tesseract import TesseractEngine
from scipix_search.onnx import make_session

logger = logging.getLogger(__name__)

_INSTALL_HINT = "text OCR (SCIPIX_TEXT_OCR=rapidocr) needs RapidOCR: pip install 'rapidocr==3.10.0'"

TextEngine = Literal["rapidocr", "tesseract"]
#: Lines scored under this are dropped, per engine (RapidOCR's scores and Tesseract's mean
#: word confidences are not on one scale).
MIN_CONFIDENCE: dict[str, float] = {"rapidocr": 0.5, "tesseract": 0.0}
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


class TextRecognizer:
    """Find and read text lines in page images and PDF pages.

    Args:
        engine: ``rapidocr`` or ``tesseract`` (``Settings.text_ocr``).
        dpi: Resolution at which PDF pages are rendered.
        min_confidence: Lines scored below this are dropped (default: the engine's
            :data:`MIN_CONFIDENCE`).
        max_pages: PDFs with more pages are refused (``Settings.max_pages``).
        max_image_pixels: Larger images and rendered pages are refused
            (``Settings.max_image_pixels``).
        max_file_bytes: Larger image files are refused (``Settings.max_file_bytes``).
        device: Where RapidOCR's ONNX models run (``auto``, ``cpu`` or ``cuda``). The CPU by
            default, as RapidOCR ran them before, whatever ``Settings.device`` says: its
            models on a GPU were never measured here.
        cjk: Let RapidOCR's recognizer read CJK ideographs, kana and hangul. Without it
            their classes (16,000 of its 18,710) are cut from the model's last layer, a
            sixth of its time; on the scanned papers measured no line read otherwise.
        precision: RapidOCR's recognizer on the CPU: ``int8`` (the copy that
            ``scipix-search models build`` writes into ``model_dir``, ``_text_int8.py``:
            0.6 of the float recognizer's CPU, CER within 0.002 of it on the scanned papers)
            or ``fp32`` (the wheel's model). On CUDA, and with ``cjk`` (the int8 copy has
            the Latin classes alone), the float model is read, and that is logged.
        model_dir: Where the int8 copy was built (default ``~/.cache/scipix-search/models``).

    Raises:
        MissingDependencyError: the engine (the tesseract program and its ``eng`` model, or
            the rapidocr package) is not installed, or ``precision="int8"`` and its copy is not
            built (or was built from another rapidocr model).

    Example:
        >>> lines = TextRecognizer.from_settings(get_settings())("page.png")  # doctest: +SKIP
        >>> lines[0].text, lines[0].bbox  # doctest: +SKIP
        ('Introduction', (72.0, 90.0, 260.0, 118.0))
    """

    def __init__(
        self,
        *,
        engine: TextEngine = "rapidocr",
        dpi: int = 200,
        min_confidence: float | None = None,
        max_pages: int = 2000,
        max_image_pixels: int = MAX_IMAGE_PIXELS,
        max_file_bytes: int = MAX_FILE_BYTES,
        device: str = "cpu",
        cjk: bool = False,
        precision: Literal["int8", "fp32"] = "int8",
        model_dir: Path | str | None = None,
    ) -> None:
        if engine not in MIN_CONFIDENCE:
            raise ValueError(f"unknown text OCR engine {engine!r}: tesseract or rapidocr")
        self.engine = engine
        self.dpi = dpi
        self.min_confidence = MIN_CONFIDENCE[engine] if min_confidence is None else min_confidence
        self.max_pages, self.max_image_pixels = max_pages, max_image_pixels
        self.max_file_bytes = max_file_bytes
        self._tesseract: TesseractEngine | None = None
        self._engine: Any = None
        self.recognizer_path: Path | None = None
        if engine == "tesseract":
            self._tesseract = TesseractEngine()
        else:
            int8 = None
            if precision == "int8":
                int8 = _int8_recognizer(device, cjk, model_dir)
            self._engine = self._start_rapidocr(device, cjk, int8)
            #: The recognizer model read with: the built int8 copy or the wheel's float file.
            self.recognizer_path = int8 or rapidocr_recognizer_file()

    @staticmethod
    def _start_rapidocr(device: str, cjk: bool, int8: Path | None = None) -> Any:
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
        for part, name in zip(
            parts[:2], (RAPIDOCR_MODELS["Det"], RAPIDOCR_MODELS["Cls"]), strict=True
        ):
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

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> TextRecognizer:
        """The recognizer of ``settings.text_ocr`` with the limits of ``settings``;
        ``options`` as in the constructor.

        Raises:
            MissingDependencyError: the engine is not installed.
        """
        limits: dict[str, Any] = {
            "engine": settings.text_ocr,
            "max_pages": settings.max_pages,
            "max_image_pixels": settings.max_image_pixels,
            "max_file_bytes": settings.max_file_bytes,
        }
        if settings.text_ocr == "rapidocr":
            limits["cjk"] = settings.text_ocr_cjk
            limits["precision"] = settings.text_ocr_precision
            limits["model_dir"] = settings.model_dir
        return cls(**{**limits, **options})

    def read_array(self, pixels: np.ndarray, page: int = 0) -> list[TextLine]:
        """Text lines of one ``HxW`` or ``HxWx3`` uint8 image, top to bottom.

        Raises:
            OCRError: the engine failed.
        """
        if self._tesseract is not None:
            gray = pixels if pixels.ndim == 2 else _gray(pixels)
            found = self._tesseract(gray, page)
            return [line for line in found if line.confidence >= self.min_confidence]
        if pixels.ndim == 2:
            pixels = np.repeat(pixels[:, :, None], 3, axis=2)
        _DET_LIMIT.shape = pixels.shape[:2]
        try:
            output: Any = self._engine(np.ascontiguousarray(pixels))
        except Exception as exc:  # rapidocr raises its own untyped errors
            raise OCRError(f"RapidOCR failed: {exc}") from exc
        if getattr(output, "boxes", None) is None or getattr(output, "txts", None) is None:
            return []
        lines = []
        for box, text, score in zip(output.boxes, output.txts, output.scores, strict=True):
            if float(score) < self.min_confidence or not str(text).strip():
                continue
            points = np.asarray(box, dtype=np.float64).reshape(-1, 2)
            bbox = (
                float(points[:, 0].min()),
                float(points[:, 1].min()),
                float(points[:, 0].max()),
                float(points[:, 1].max()),
            )
            lines.append(TextLine(str(text), bbox, round(float(score), 4), page))
        return sorted(lines, key=lambda line: (line.bbox[1], line.bbox[0]))

    def _pdf_pages(self, path: Path) -> Iterator[tuple[int, np.ndarray]]:
        import pymupdf

        try:
            document = pymupdf.open(path)
        except Exception as exc:  # pymupdf raises several untyped errors
            raise CorruptInputError(
                f"{path} cannot be opened as a PDF: {exc}", path=str(path)
            ) from exc
        with document:
            if document.page_count > self.max_pages:
                raise InputTooLargeError(
                    f"{path} has {document.page_count} pages, over the limit of {self.max_pages}",
                    path=str(path),
                )
            for number in range(document.page_count):
                page = document[number]
                # checked on the page's size, before a pixmap that large is allocated
                scale = self.dpi / 72.0
                if page.rect.width * scale * page.rect.height * scale > self.max_image_pixels:
                    raise InputTooLargeError(
                        f"page {number} of {path} is too large at {self.dpi} dpi"
                    )
                yield number, render_page(page, self.dpi)

    def __call__(self, source: ImageInput) -> list[TextLine]:
        """Text lines of an image, or of every page of a PDF file.

        Args:
            source: A path (image or PDF), image bytes, PIL image or array.

        Returns:
            The lines, page by page, top to bottom.

        Raises:
            InputError: The file cannot be read, exceeds the limits, or is an image too small
                or too narrow to hold text (``check_readable``).
            OCRError: the engine failed.
        """
        if isinstance(source, str | Path) and Path(source).is_file():
            with Path(source).open("rb") as handle:
                head = handle.read(1024)
            if magic(head) == "pdf":
                lines: list[TextLine] = []
                for number, pixels in self._pdf_pages(Path(source)):
                    lines.extend(self.read_array(pixels, number))
                return lines
        image = load_image(source, max_pixels=self.max_image_pixels, max_bytes=self.max_file_bytes)
        check_readable(image)
        gray = to_gray(image)
        return self.read_array(gray)


def _gray(pixels: np.ndarray) -> np.ndarray:
    """``HxWx3`` (or ``HxWx4``) uint8 RGB as ``HxW`` uint8 luma (ITU-R 601, as Pillow's ``L``)."""
    rgb = pixels[:, :, :3].astype(np.float32)
    luma = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.clip(luma + 0.5, 0, 255).astype(np.uint8)


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


def _int8_recognizer(device: str, cjk: bool, model_dir: Path | str | None) -> Path | None:
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
