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
python -m pip install -q -e ".[dev,postgres,ocr]"
scipix-search models build
