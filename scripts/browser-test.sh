#!/usr/bin/env bash
# The operator console in a real browser: headless Chromium from Debian's chromium and chromium-driver,
# driven over WebDriver by scripts/browser_test.py (Python's standard library only, nothing from PyPI).
# Builds a small queue from ../shared/corpus-dev with `faxintake run --once` (plus a file that always fails
# and a fax that fails only under a stricter page limit),
# adds a user, starts `faxintake console` on loopback, and runs the tests. Screenshots are left in
# .build/browser-test/. Fails loudly if Chromium cannot be installed: it never skips.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "browser-test: installing chromium and chromium-driver"
  $SUDO apt-get update -qq
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; then
    echo "browser-test: FAILED: cannot install Debian's chromium and chromium-driver; the browser tests did not run" >&2
    exit 1
  fi
fi

configuration="${FAXINTAKE_BUILD:-debug}"
faxintake="$PWD/.build/$configuration/faxintake"
[ -x "$faxintake" ] || swift build -c "$configuration" --product faxintake 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
[ -x "$faxintake" ] || { echo "browser-test: FAILED: no $faxintake" >&2; exit 1; }

corpus="$(cd ../shared/corpus-dev && pwd)"
work=$(mktemp -d)
chmod 700 "$work"
artifacts="$PWD/.build/browser-test"
mkdir -p "$artifacts"
pids=()
strict="Pipelines/.browser-test-$$.yml"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work" "$strict"
}
trap cleanup EXIT

mkdir -p "$work/spool/fax" "$work/spool/mail"
for n in 0000 0004; do cp "$corpus/$n.tif" "$corpus/$n.json" "$work/spool/fax/"; done
# A password-protected PDF: decoding it fails, so the failed screen has an item to reprocess.
cp ../shared/realdata/malformed/pdfjs_pwprotected_issue6010_1.pdf "$work/spool/mail/protected.pdf"
export OMP_THREAD_LIMIT=1
"$faxintake" run --once --spool "$work/spool" --state "$work/state" --archive "$work/archive" >"$artifacts/run.log" 2>&1
# A fax that fails only because a stricter pipeline allowed two pages a file: once the limit is back, as
# an operator would raise it, reprocessing queues it. (Beside the shipped file, so its paths resolve alike.)
sed 's/^  max_pages_per_file: .*/  max_pages_per_file: 2/' Pipelines/prior-auth.yml >"$strict"
grep -q '^  max_pages_per_file: 2$' "$strict" || { echo "browser-test: FAILED: cannot write the strict pipeline" >&2; exit 1; }
cp "$corpus/0009.tif" "$corpus/0009.json" "$work/spool/fax/"
"$faxintake" run --once --pipeline "$strict" --spool "$work/spool" --state "$work/state" --archive "$work/archive" >>"$artifacts/run.log" 2>&1

export CONSOLE_PASSWORD="browser-test-$RANDOM-$RANDOM"
echo "$CONSOLE_PASSWORD" | "$faxintake" users add otto --role operator --state "$work/state" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
console_port=$(free_port)
driver_port=$(free_port)
"$faxintake" console --state "$work/state" --listen "127.0.0.1:$console_port" >"$artifacts/console.log" 2>&1 &
pids+=($!)
chromedriver --port="$driver_port" >"$artifacts/chromedriver.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$console_port/health" >/dev/null && curl -sf "http://127.0.0.1:$driver_port/status" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$console_port/health" >/dev/null || { echo "browser-test: FAILED: the console did not start" >&2; cat "$artifacts/console.log" >&2; exit 1; }
curl -sf "http://127.0.0.1:$driver_port/status" >/dev/null || { echo "browser-test: FAILED: chromedriver did not start" >&2; exit 1; }

python3 scripts/browser_test.py "http://127.0.0.1:$console_port" "http://127.0.0.1:$driver_port" "$work/state" "$faxintake" "$corpus" "$artifacts"
