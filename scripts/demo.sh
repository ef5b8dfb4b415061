#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs FaxIntake's main job on the bundled Samples:
# the pipeline, once, over a copy of them in a temporary spool (the Samples stay as they are),
# with its embedded SQLite queue; then shows the resulting queues and the nightly report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
bin="$PWD/.build/release/faxintake"

work=$(mktemp -d "${TMPDIR:-/tmp}/faxintake-demo.XXXXXX")   # mktemp makes it 0700
mkdir -p "$work/spool/fax" "$work/spool/mail"
# Faxes with their fax-server sidecars; everything else is a mail-room scan.
for f in Samples/*; do
  case "$f" in
    *.json) ;;
    *.tif|*.tiff) cp "$f" "$work/spool/fax/"; [ -f "${f%.*}.json" ] && cp "${f%.*}.json" "$work/spool/fax/" ;;
    *) cp "$f" "$work/spool/mail/" ;;
  esac
done

echo "== faxintake run --once (spool, state and archive under $work)"
"$bin" run --once --spool "$work/spool" --state "$work/state" --archive "$work/archive"
echo
echo "== faxintake status"
"$bin" status --state "$work/state"
echo
echo "== faxintake queue list"
"$bin" queue list --state "$work/state"
echo
echo "== faxintake report"
"$bin" report --state "$work/state" --all
echo
echo "The queue database is $work/state/queue.sqlite; 'faxintake queue show ID --state $work/state' shows one item."
