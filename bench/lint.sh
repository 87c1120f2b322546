#!/usr/bin/env bash
# Lint a generated catalog in release mode and report wall time and peak memory.
# Usage: bench/lint.sh [EVENTS]   (default 1000; issue #2's target: under 1 s for 1,000 events)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo build --release --locked --quiet --bin evcat --example gencat
./target/release/examples/gencat --events "$events" --out "$out/catalog"
./target/release/evcat --catalog "$out/catalog" lint >/dev/null  # warm the page cache
for run in 1 2 3; do
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -o "$out/time" -f "run $run: wall %e s, peak RSS %M KiB" \
      ./target/release/evcat --catalog "$out/catalog" lint | tail -1
    cat "$out/time"
  else
    start=$(date +%s%N)
    ./target/release/evcat --catalog "$out/catalog" lint | tail -1
    echo "run $run: wall $(( ($(date +%s%N) - start) / 1000000 )) ms"
  fi
done
