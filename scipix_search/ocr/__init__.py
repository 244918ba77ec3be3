"""Formula OCR (image to LaTeX, pix2tex on ONNX Runtime) and page text OCR (RapidOCR).

Nothing here imports torch at run time: only :func:`build_formula_model` does, to export.
"""

from __future__ import annotations

from scipix_search.ocr._build import build_formula_model
from scipix_search.ocr._images import load_image, sniff
from scipix_search.ocr._output import LatexResult, TextLine, to_mathml
from scipix_search.ocr._recognizer import LatexRecognizer
from scipix_search.ocr._text import TextRecognizer
from scipix_search.ocr._tokenizer import clean_latex, latex_tokens

__all__ = [
    "LatexRecognizer",
    "LatexResult",
    "TextLine",
    "TextRecognizer",
    "build_formula_model",
    "clean_latex",
    "latex_tokens",
    "load_image",
    "sniff",
    "to_mathml",
]
