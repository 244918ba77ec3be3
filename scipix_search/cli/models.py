"""``scipix-search models build``: export the ONNX models from pinned packages, once."""

from __future__ import annotations

import argparse

from scipix_search.cli._common import emit, settings_of


def run(args: argparse.Namespace) -> int:
    from scipix_search.embed import build_text_model, int8_model_dir
    from scipix_search.ocr import build_formula_model, build_text_recognizer_int8

    settings = settings_of(args)
    path = build_text_model(settings.model_dir, force=args.force)
    emit(f"text model: {path}")
    # the CPU default (Settings.text_precision): derived from the export, cached by its content
    emit(f"text model, int8: {int8_model_dir(path)}")
    path = build_formula_model(settings.model_dir, force=args.force)
    emit(f"formula model: {path}")
    if settings.text_ocr == "rapidocr":  # scans' text OCR on the CPU (Settings.text_ocr_precision)
        path = build_text_recognizer_int8(settings.model_dir, force=args.force)
        emit(f"text recognizer, int8: {path}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="build the ONNX models (needs torch, once)")
    parser.add_argument("action", choices=["build"])
    parser.add_argument("--force", action="store_true", help="rebuild even if present")
    parser.set_defaults(func=run)
