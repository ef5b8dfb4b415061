#!/usr/bin/env bash
# Installs what FaxIntake needs on a fresh Debian bookworm machine (run as root), then builds it.
# Safe to run again: packages already present are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config libtiff-dev libpoppler-glib-dev libtesseract-dev libleptonica-dev
          tesseract-ocr-eng tesseract-ocr-osd libsqlite3-dev libtiff-tools poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

configuration="${FAXINTAKE_BUILD:-release}"
swift build -c "$configuration" --product faxintake 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
test -x ".build/$configuration/faxintake"
