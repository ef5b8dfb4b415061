#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs FaxIntake's main job on the bundled Samples.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
bin=.build/release/faxintake
"$bin" decode Samples/*.tif Samples/*.pdf
for f in Samples/*.tif Samples/*.pdf; do
  echo "== $f"
  # Field values are PHI; the Samples are synthetic, so the demo shows them.
  "$bin" extract "$f" | python3 -c '
import json, sys
r = json.load(sys.stdin)
form = r["form"]
print("form:", "none" if form is None else "page %d, rotation %d, skew %.2f°" % (form["page"], form["rotation"], form["skew_deg"]))
print("request type:", r["checkboxes"]["request_type"]["selected"], " priority:", r["checkboxes"]["priority"]["selected"])
review = sorted(k for k, v in r["fields"].items() if v["needs_review"])
print("fields read: %d, needing review: %s" % (len(r["fields"]), ", ".join(review) or "none"))
'
done
