#!/usr/bin/env bash
# Install the optional text OCR engine of scanned pages (SCIPIX_TEXT_OCR=tesseract): Debian's
# tesseract-ocr (5.3.0 on bookworm) and its English LSTM model, tesseract-ocr-eng (about 4 MB,
# Apache-2.0; see models/README.md). Idempotent: does nothing when the program reads English.
set -euo pipefail

have_eng() {
  command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx eng
}

if have_eng; then
  echo "Tesseract already installed: $(tesseract --version 2>&1 | head -n 1)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  tesseract-ocr tesseract-ocr-eng
have_eng || { echo "tesseract is installed but does not list the eng model" >&2; exit 1; }
echo "Tesseract installed: $(tesseract --version 2>&1 | head -n 1)"
