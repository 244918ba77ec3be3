"""Formula OCR (pix2tex on ONNX Runtime), page text OCR (Tesseract or RapidOCR), layout/formula detection.

Nothing here imports torch at run time: only :func:`build_formula_model` does, to export.
"""

from __future__ import annotations

from scipix_search.ocr._build import build_formula_model
from scipix_search.ocr._deskew import deskew, estimate_skew
from scipix_search.ocr._export import load_reference_model
from scipix_search.ocr._images import check_readable, frame_count, frames_as_pdf, load_image
from scipix_search.ocr._layout import LAYOUT_CLASSES, FormulaDetector, Region
from scipix_search.ocr._output import LatexResult, TextLine
from scipix_search.ocr._preprocess import TARGET_GLYPH_HEIGHT, prepare, to_model_input
from scipix_search.ocr._rapidocr import rapidocr_recognizer_model
from scipix_search.ocr._recognizer import LatexRecognizer
from scipix_search.ocr._scanlike import ScanOptions, degrade_page
from scipix_search.ocr._tesseract import TesseractEngine
from scipix_search.ocr._text import TextRecognizer
from scipix_search.ocr._text_int8 import (
    build_text_recognizer_int8,
    calibration_inputs,
    calibration_pages,
    quantise_text_recognizer,
    smooth_convolutions,
)
from scipix_search.ocr._tokenizer import clean_latex, latex_tokens

__all__ = [
    "LAYOUT_CLASSES",
    "TARGET_GLYPH_HEIGHT",
    "FormulaDetector",
    "LatexRecognizer",
    "LatexResult",
    "Region",
    "ScanOptions",
    "TextLine",
    "TesseractEngine",
    "TextRecognizer",
    "build_formula_model",
    "build_text_recognizer_int8",
    "calibration_inputs",
    "calibration_pages",
    "check_readable",
    "frame_count",
    "frames_as_pdf",
    "clean_latex",
    "degrade_page",
    "deskew",
    "estimate_skew",
    "latex_tokens",
    "load_image",
    "load_reference_model",
    "prepare",
    "quantise_text_recognizer",
    "rapidocr_recognizer_model",
    "smooth_convolutions",
    "to_model_input",
]
