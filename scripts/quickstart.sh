#!/usr/bin/env bash
# The quick start (README): install, then ingest the bundled sample papers into ./scipix-data
# (SQLite + FAISS, no server) and run two searches.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
. .venv/bin/activate
scipix-search demo "$@"
