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
exit "$status"
