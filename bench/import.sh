#!/usr/bin/env bash
# Times `evcat import registry` (issue 14: 1,000 subjects from a served registry in under 5 s)
# in release mode: a generated catalog of 997 events (1,000 subjects with its 3 shared schemas)
# is pushed to `evcat registry serve` on loopback, then imported into a new folder three
# times, and once more with --history (a commit per registered version).
# Usage: bench/import.sh [EVENTS]
set -euo pipefail
events=${1:-997}
. "$(dirname "$0")/lib.sh"
bench_init
pushed_catalog "$events"

for run in 1 2 3; do
  /usr/bin/time -o "$work/time" -f "import run $run: wall %e s, peak RSS %M KiB" \
    "$evcat" import registry --url "$url" --out "$work/imported-$run" 2>&1 | tail -3
  cat "$work/time"
done
/usr/bin/time -o "$work/time" -f "import --history: wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
  "$evcat" import registry --url "$url" --out "$work/history" --history 2>&1 | tail -1
cat "$work/time"
echo "commits: $(git -C "$work/history" rev-list --count HEAD)"
(cd "$work/imported-1" && "$evcat" plan --env prod --format json | python3 -c '
import json, sys
s = json.load(sys.stdin)["environments"][0]["summary"]
print("plan against the same registry: %d subjects, %d writes" % (s["subjects"], s["writes"]))')
