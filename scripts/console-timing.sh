#!/usr/bin/env bash
# Times the console's item screen for one item, as a browser would fetch it: the HTML, then the form page
# image and every thumbnail, first on a cold server (nothing decoded yet) and then warm.
# Usage: scripts/console-timing.sh STATE_DIR ITEM_ID [FAXINTAKE]   (the console is started on a free port)
set -euo pipefail
state=$1; item=$2; faxintake=${3:-.build/debug/faxintake}
password="timing-$RANDOM-$RANDOM"
echo "$password" | "$faxintake" users add "timing$RANDOM" --role reviewer --state "$state" >/tmp/console-timing-user.txt
user=$(awk '{print $2}' /tmp/console-timing-user.txt)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$faxintake" console --state "$state" --listen "127.0.0.1:$port" >/tmp/console-timing.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
jar=$(mktemp)
curl -sf -c "$jar" -H 'Content-Type: application/json' -d "{\"username\":\"$user\",\"password\":\"$password\"}" "http://127.0.0.1:$port/api/session" >/dev/null
get() { curl -s -b "$jar" -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port$1"; }
screen() {
  local html images=0 t
  html=$(get "/items/$item")
  curl -s -b "$jar" "http://127.0.0.1:$port/items/$item" | grep -oE '/api/items/[0-9]+/pages/[0-9]+\.png\?scale=[0-9.]+' | sort -u > /tmp/console-timing-images.txt
  for url in $(cat /tmp/console-timing-images.txt); do t=$(get "$url"); images=$(python3 -c "print($images + $t)"); done
  printf '%s: HTML %.0f ms; %d images fetched one after another %.0f ms\n' "$1" "$(python3 -c "print($html*1000)")" \
    "$(wc -l < /tmp/console-timing-images.txt)" "$(python3 -c "print($images*1000)")"
}
screen cold
for i in 1 2 3; do screen "warm $i"; done
