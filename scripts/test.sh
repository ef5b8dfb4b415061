#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs the test suite.
set -uo pipefail
cd "$(dirname "$0")/.."
FAXINTAKE_BUILD=debug scripts/setup.sh || exit 1
mkdir -p .build
# Hide the per-case "started" lines; keep results, failures and the closing summary.
export OMP_THREAD_LIMIT=1  # see Environment.prepareForOCR: OpenMP reads it at load time
swift test 2>&1 | tee .build/test-output.log | grep -Ev '^(◇|↳)|started\.$'
status=${PIPESTATUS[0]}
# The operator console in headless Chromium (installs chromium and chromium-driver; fails, never skips).
scripts/browser-test.sh 2>&1 | tee .build/browser-test-output.log
browser_status=${PIPESTATUS[0]}
browser_passed=$(sed -nE 's/^browser tests: ([0-9]+) passed.*/\1/p' .build/browser-test-output.log | tail -1)
# Swift Testing's summary and the browser tests', restated as the plain closing line CI reads in any language
# (XCTest prints its own "Executed 0 tests" after it, having no XCTest cases to run).
summary=$(grep -E 'Test run with [0-9]+ tests?' .build/test-output.log | tail -1)
total=$(sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.* with ([0-9]+) issues?.*/\1/p' <<<"$summary")
if [ -n "$total" ]; then
  if [ "$status" -eq 0 ] && [ "$browser_status" -eq 0 ]; then
    echo "tests: $total passed, 0 failed; browser: ${browser_passed:-0} checks passed"
  else
    echo "tests: failed: ${failed:-0} Swift issue(s); browser tests exit $browser_status"
  fi
fi
[ "$status" -eq 0 ] && status=$browser_status
exit "$status"
