#!/usr/bin/env bash
# CPU and GPU figures side by side on a GPU machine (issue 17): formula OCR, born-digital
# ingestion and FAISS through the real code paths (benchmarks/device_compare.py), under 10 min.
#
#   bash scripts/gpu_check.sh            # project installed with the gpu packages (below)
#   bash scripts/gpu_check.sh --install  # swap in onnxruntime-gpu and faiss-gpu-cu12 first
#
# The GPU packages replace the CPU ones (same module names): `pip install -e '.[gpu]'` alone
# would leave both faiss wheels in one folder. Extra arguments go to device_compare.py.
# A column without a usable GPU says why instead of showing CPU figures.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
if [ "${1:-}" = "--install" ]; then
  shift
  "$PYTHON" -m pip uninstall -y -q onnxruntime faiss-cpu
  "$PYTHON" -m pip install -q 'onnxruntime-gpu>=1.20' 'faiss-gpu-cu12>=1.9'
fi
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
else
  echo "nvidia-smi not found: no NVIDIA driver on this machine"
fi
"$PYTHON" - <<'PY'
import faiss
import onnxruntime

print("onnxruntime", onnxruntime.__version__, onnxruntime.get_available_providers())
print("faiss", faiss.__version__, "GPUs:", getattr(faiss, "get_num_gpus", lambda: 0)())
PY
export HF_HUB_OFFLINE=1
timeout 570 "$PYTHON" benchmarks/device_compare.py --devices cpu cuda "$@"
