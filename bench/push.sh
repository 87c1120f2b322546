#!/usr/bin/env bash
# Times a no-op `evcat push` (every subject already registered) in release mode: a generated
# catalog of 997 events (1,000 subjects with its 3 shared schemas) against `evcat registry serve`
# on loopback. Issue #4's targets: under 2 s, 1 request per unchanged subject.
# Usage: bench/push.sh [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-997}
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cargo build --release --locked --quiet --bin evcat --example gencat
evcat=$PWD/target/release/evcat
./target/release/examples/gencat --events "$events" --out "$work/catalog"

"$evcat" registry serve --dir "$work/registry" --listen 127.0.0.1:0 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do grep -q listening "$work/serve.log" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/.*listening on //p' "$work/serve.log")
printf 'environments:\n  - name: bench\n    registry: { url: "%s" }\n' "$url" >>"$work/catalog/evcat.yaml"

start=$(date +%s.%N)
"$evcat" --catalog "$work/catalog" push --env bench | tail -2
echo "first push: $(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo '?') s"

summary() {
  python3 -c '
import json, sys
s = json.load(sys.stdin)["environments"][0]["summary"]
per = (s["requests"] - 1) / max(s["unchanged"], 1)
print("%d subjects, %d unchanged, %d writes, %d requests (%.3f per unchanged subject, after one read of the global level)"
      % (s["subjects"], s["unchanged"], s["writes"], s["requests"], per))'
}
for run in 1 2 3; do
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -o "$work/time" -f "no-op push run $run: wall %e s, peak RSS %M KiB" \
      "$evcat" --catalog "$work/catalog" push --env bench --format json | summary
    cat "$work/time"
  else
    "$evcat" --catalog "$work/catalog" push --env bench --format json | summary
  fi
done
