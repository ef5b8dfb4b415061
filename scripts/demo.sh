#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs FaxIntake's main job on the bundled Samples.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
bin=.build/release/faxintake
"$bin" decode Samples/*.tif Samples/*.pdf
