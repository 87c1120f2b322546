#!/usr/bin/env bash
# Times a no-op `evcat push` (every subject already registered) in release mode: a generated
# catalog of 997 events (1,000 subjects with its 3 shared schemas) against `evcat registry serve`
# on loopback. Issue #4's targets: under 2 s, 1 request per unchanged subject.
# Usage: bench/push.sh [EVENTS]
set -euo pipefail
events=${1:-997}
. "$(dirname "$0")/lib.sh"
bench_init
./target/release/examples/gencat --events "$events" --out "$work/catalog"

serve_registry "$work/catalog"

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
