#!/usr/bin/env bash
# Sets everything up, installs the reference tools (OCRmyPDF; the tesseract CLI comes with it) and runs
# the end-to-end benchmark over ../shared/corpus-dev, then the per-page stage benchmark.
# Arguments are passed to `faxintake bench run` (e.g. --copies 60 for a 5,000-page memory run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! command -v ocrmypdf >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ocrmypdf tesseract-ocr >/dev/null
fi
.build/release/faxintake bench run "$@"
echo
.build/release/faxintake bench stages
