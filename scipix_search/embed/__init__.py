"""Embeddings: passages (all-MiniLM-L6-v2 on ONNX Runtime) and formulas (structural features)."""

from scipix_search.embed._formula import FormulaEncoder
from scipix_search.embed._text import TextEncoder
from scipix_search.embed._text_export import build_text_model
from scipix_search.embed._text_int8 import int8_model_dir

__all__ = ["FormulaEncoder", "TextEncoder", "build_text_model", "int8_model_dir"]
