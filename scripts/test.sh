#!/usr/bin/env bash
# The test command (README, and .ci/run): install, start PostgreSQL, run every test.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not slow"` for a quick run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# Browser tests drive Debian's Chromium through chromedriver (no browser download at test time).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "installing chromium and chromium-driver (Debian packages)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium chromium-driver >&2
fi
# The typeset-corpus tests compile documents with Debian's TeX Live (about 3 min, once).
bash scripts/install_tex.sh >&2
. .venv/bin/activate
SCIPIX_TEST_POSTGRES_URL=$(bash scripts/start_postgres.sh | tail -n 1)
export SCIPIX_TEST_POSTGRES_URL
ruff check scipix_search tests benchmarks migrations
ruff format --check scipix_search tests benchmarks migrations
mypy scipix_search
python -m pytest "$@"
