"""Build the pix2tex ONNX model into Settings.model_dir (same as `scipix-search models build`).

Usage: python models/pix2tex/export.py [--force]
"""

from __future__ import annotations

import argparse
import logging

from scipix_search.config import get_settings
from scipix_search.ocr import build_formula_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="rebuild even when current")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    path = build_formula_model(get_settings().model_dir, force=args.force)
    logging.getLogger(__name__).info("formula model ready in %s", path)


main()
