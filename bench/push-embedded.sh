#!/usr/bin/env bash
# Times the first push of a generated catalog into an embedded registry (a folder, no server),
# then a no-op push. Issue #10's target: 10,000 subjects in under 5 s (the store writes its
# state once per push, not once per registration).
# Usage: bench/push-embedded.sh [EVENTS]   (default 9,997 events: 10,000 subjects)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-9997}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --locked --quiet --bin evcat --example gencat
evcat=$PWD/target/release/evcat
./target/release/examples/gencat --events "$events" --out "$work/catalog"
printf 'environments:\n  - name: bench\n    registry: { embedded: .registries/bench }\n' >>"$work/catalog/evcat.yaml"
for run in first no-op; do
  /usr/bin/time -o "$work/time" -f "$run push: wall %e s, peak RSS %M KiB" \
    "$evcat" --catalog "$work/catalog" push --env bench | tail -1
  cat "$work/time"
done
