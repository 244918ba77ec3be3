#!/usr/bin/env bash
# The quick start (README): install, then ingest the bundled sample papers into ./scipix-data
# (SQLite + FAISS, no server) and run a text, an equation and a screenshot search.
# The install's own output (pip, the one-time ONNX export) goes to a log file, not the screen:
# one line per step here, the log's last lines if a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
LOG=${SCIPIX_INSTALL_LOG:-quickstart-install.log}
echo "== installing into .venv and building the ONNX models once (a few minutes; log: $LOG)"
if ! bash scripts/install.sh >"$LOG" 2>&1; then
  echo "error: the install failed; the last lines of $LOG:" >&2
  tail -n 20 "$LOG" >&2
  exit 1
fi
. .venv/bin/activate
scipix-search demo "$@"
