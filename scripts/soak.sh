#!/usr/bin/env bash
# The long reliability soak, on demand (not in CI): kill -9 the daemon at least KILLS times while it works
# through batches of faxes and scans, half at a chosen stage (the debug build's FAXINTAKE_TEST_KILL_AT
# crash point) and half at a random moment; check after every kill that nothing is lost and the database
# passes PRAGMA integrity_check; then push many generated bad inputs through and fuzz the decoders longer.
#
#   scripts/soak.sh                 # 24 kills, 3000 fuzz mutants per format
#   KILLS=40 FUZZ=20000 SEED=9 scripts/soak.sh
#
# Ends with one line of figures, e.g.
#   kills: 24, restarts: 25, inputs: 61, items: 61, lost: 0, duplicated: 0, integrity: ok, ...
set -uo pipefail
cd "$(dirname "$0")/.."
KILLS=${KILLS:-24}
FUZZ=${FUZZ:-3000}
SEED=${SEED:-$RANDOM}
SCRATCH=${SCRATCH:-.build-reliability}
export OMP_THREAD_LIMIT=1
RANDOM=$SEED

swift build --scratch-path "$SCRATCH" >/dev/null || { echo "soak: build failed" >&2; exit 1; }
BIN=$PWD/$SCRATCH/debug/faxintake
CORPUS=$(cd .. && pwd)/shared/corpus-dev
WORK=$(mktemp -d /tmp/faxintake-soak.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/spool/fax" "$WORK/spool/mail"
cat >"$WORK/soak.yml" <<EOF
name: soak
spool: $WORK/spool
state: $WORK/state
archive: $WORK/archive
form: {template: $PWD/Pipelines/forms/medical-prior-authorization-request-form}
lines:
  - {name: elective, number: 1-555-010-4001, request_types: [outpatient_elective, inpatient_elective]}
  - {name: emergency_inpatient, number: 1-555-010-4002, request_types: [emergency_inpatient]}
  - {name: snf, number: 1-555-010-4003, request_types: [snf]}
workers: {decode: 1, extract: 2}
limits: {max_in_flight: 4}
retry: {attempts: 2, backoff_seconds: 0}
readiness: {settle_seconds: 0}
EOF
DB=$WORK/state/queue.sqlite
: >"$WORK/inputs.sha"
serial=0

# Drops one batch: a few corpus documents, each made unique by a trailing byte (a re-send: same pages,
# new hash), and now and then a damaged one, which must end as a failed item.
drop_batch() {
  local docs=(0003.tif 0012.tif 0015.tif 0018.tif 0000.tif 0016.pdf 0019.pdf 0011.pdf)
  for _ in 1 2 3 4; do
    local doc=${docs[$((RANDOM % ${#docs[@]}))]}
    local ext=${doc##*.} folder=fax
    serial=$((serial + 1))
    [ "$ext" = pdf ] && folder=mail
    local target="$WORK/spool/$folder/soak-$serial.$ext"
    if [ $((RANDOM % 5)) -eq 0 ]; then
      head -c $((RANDOM % 4000 + 10)) "$CORPUS/$doc" >"$target.tmp"
    else
      { cat "$CORPUS/$doc"; printf '%08d' "$serial"; } >"$target.tmp"
    fi
    sha256sum "$target.tmp" | cut -d' ' -f1 >>"$WORK/inputs.sha"
    [ "$folder" = fax ] && cp "$CORPUS/${doc%.*}.json" "$WORK/spool/fax/soak-$serial.json.tmp"
    mv "$target.tmp" "$target"
    [ -f "$WORK/spool/fax/soak-$serial.json.tmp" ] && mv "$WORK/spool/fax/soak-$serial.json.tmp" "$WORK/spool/fax/soak-$serial.json"
  done
}

spool_docs() { find "$WORK/spool" -type f ! -name '*.json' | wc -l; }
lost_now() {
  # Inputs that are neither in the queue nor still in the spool.
  sqlite3 "$DB" "SELECT sha256 FROM queue_item" 2>/dev/null | sort -u >"$WORK/in-queue"
  find "$WORK/spool" -type f ! -name '*.json' -exec sha256sum {} + | cut -d' ' -f1 | sort -u >"$WORK/in-spool"
  sort -u "$WORK/inputs.sha" | comm -23 - <(sort -u "$WORK/in-queue" "$WORK/in-spool") | wc -l
}

kills=0 restarts=0 attempts=0 lost_after_kill=0 integrity_failures=0
declare -A by_stage=()
stages=(decode extract validate route archive commit)
while [ "$kills" -lt "$KILLS" ] && [ "$attempts" -lt $((KILLS * 3)) ]; do
  attempts=$((attempts + 1))
  [ "$(spool_docs)" -lt 3 ] && drop_batch
  if [ $((attempts % 2)) -eq 0 ]; then
    # In turn, so every stage gets its share of kills whatever the seed.
    stage=${stages[$(((attempts / 2) % ${#stages[@]}))]}
    FAXINTAKE_TEST_KILL_AT="$stage:$((RANDOM % 3 + 1))" "$BIN" run --once --pipeline "$WORK/soak.yml" 2>>"$WORK/daemon.log"
    status=$?
  else
    stage=random
    "$BIN" run --once --pipeline "$WORK/soak.yml" 2>>"$WORK/daemon.log" &
    pid=$!
    sleep "$((RANDOM % 60 / 10)).$((RANDOM % 10))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid"
    status=$?
  fi
  restarts=$((restarts + 1))
  if [ "$status" -eq 137 ]; then
    kills=$((kills + 1))
    by_stage[$stage]=$((${by_stage[$stage]:-0} + 1))
  fi
  [ -f "$DB" ] && [ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" != ok ] && integrity_failures=$((integrity_failures + 1))
  [ -f "$DB" ] && lost_after_kill=$((lost_after_kill + $(lost_now)))
done

# A clean run settles whatever the last kill left.
"$BIN" run --once --pipeline "$WORK/soak.yml" 2>>"$WORK/daemon.log"
restarts=$((restarts + 1))
inputs=$(sort -u "$WORK/inputs.sha" | wc -l)
items=$(sqlite3 "$DB" "SELECT count(*) FROM queue_item")
distinct=$(sqlite3 "$DB" "SELECT count(DISTINCT sha256 || ':' || request_page) FROM queue_item")  # one item per request of a file
failed=$(sqlite3 "$DB" "SELECT count(*) FROM queue_item WHERE status = 'failed'")
lost=$(lost_now)
left=$(find "$WORK/spool" -type f | wc -l)
integrity=$(sqlite3 "$DB" 'PRAGMA integrity_check')
[ "$integrity_failures" -gt 0 ] && integrity="failed after $integrity_failures kill(s)"
temp_left=$(find "$WORK/archive" "$WORK/state" -name '.tmp-*' | wc -l)
stage_counts=$(for s in "${!by_stage[@]}"; do printf '%s=%s ' "$s" "${by_stage[$s]}"; done)

# Bad input and fuzzing, longer than CI: the same tests with more mutants and another seed.
FAXINTAKE_FUZZ_ITERATIONS=$FUZZ FAXINTAKE_FUZZ_SEED=$SEED swift test --scratch-path "$SCRATCH" \
  --filter 'DecoderFuzzTests|BadInputPipelineTests' >"$WORK/tests.log" 2>&1
tests_status=$?
fuzz_lines=$(grep -E '^fuzz (tiff|pdf):' "$WORK/tests.log" | tr '\n' ';')
bad_line=$(grep -E '^bad inputs tried' "$WORK/tests.log")
crashes=$(grep -cE 'signal|Fatal error|crashed' "$WORK/tests.log")

echo "seed: $SEED; kills by stage: $stage_counts"
echo "stray archive temp files (half-written copies from kills, never under a final name): $temp_left"
echo "$bad_line"
echo "$fuzz_lines"
echo "kills: $kills, restarts: $restarts, inputs: $inputs, items: $items, failed items: $failed, lost: $lost, lost after a kill: $lost_after_kill, duplicated: $((items - distinct)), left in spool: $left, integrity: $integrity, fuzz executions: $((FUZZ * 2)), fuzz/bad-input tests: $([ $tests_status -eq 0 ] && echo passed || echo FAILED), crashes: $crashes"
[ "$lost" -eq 0 ] && [ "$lost_after_kill" -eq 0 ] && [ "$items" -eq "$distinct" ] && [ "$items" -eq "$inputs" ] \
  && [ "$left" -eq 0 ] && [ "$integrity" = ok ] && [ "$tests_status" -eq 0 ] && [ "$kills" -ge "$KILLS" ]
