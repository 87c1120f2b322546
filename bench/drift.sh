#!/usr/bin/env bash
# Times `evcat drift` (issue 14: 1,000 subjects in under 2 s, at most one request per subject)
# in release mode: a generated catalog of 997 events (1,000 subjects with its 3 shared schemas)
# pushed to `evcat registry serve` on loopback, then three drift runs against it.
# Usage: bench/drift.sh [EVENTS]
set -euo pipefail
events=${1:-997}
. "$(dirname "$0")/lib.sh"
bench_init
pushed_catalog "$events"

for run in 1 2 3; do
  /usr/bin/time -o "$work/time" -f "drift run $run: wall %e s, peak RSS %M KiB" \
    "$evcat" --catalog "$work/catalog" drift --env bench 2>&1 | tail -1
  cat "$work/time"
done
