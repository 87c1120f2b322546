#!/usr/bin/env bash
# Lint of a generated catalog with and without a shared vocabulary (issue 13: within 10%).
# Generates the same catalog twice (12 realistic fields per schema), one with a vocabulary of
# 200 terms (whose names the schemas' fields carry, so every field is looked up and a dozen per
# event type-checked), then alternates lint runs and prints the best wall and CPU time of each.
# Usage: bench/vocabulary.sh [EVENTS] [TERMS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-10000}
terms=${2:-200}
rounds=${3:-15}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --locked --quiet --bin evcat --example gencat
evcat=$PWD/target/release/evcat
gencat=$PWD/target/release/examples/gencat
"$gencat" --events "$events" --fields 12 --out "$work/plain" >/dev/null
"$gencat" --events "$events" --fields 12 --vocabulary "$terms" --out "$work/vocabulary" >/dev/null
"$evcat" --catalog "$work/vocabulary" lint | tail -1
for catalog in plain vocabulary; do : >"$work/$catalog.times"; done
for _ in $(seq "$rounds"); do
  for catalog in plain vocabulary; do
    /usr/bin/time -a -o "$work/$catalog.times" -f "%e %U %S %M" "$evcat" --catalog "$work/$catalog" --quiet lint >/dev/null
  done
done
python3 - "$work" "$events" "$terms" <<'PY'
import sys
work, events, terms = sys.argv[1:]
best = {}
for catalog in ("plain", "vocabulary"):
    rows = [list(map(float, line.split())) for line in open(f"{work}/{catalog}.times")]
    best[catalog] = (min(r[0] for r in rows), min(r[1] + r[2] for r in rows), max(r[3] for r in rows) / 1024)
for catalog, (wall, cpu, mib) in best.items():
    label = "without a vocabulary" if catalog == "plain" else f"with {terms} terms"
    print(f"lint {events} events {label:>22}: best wall {wall:.2f} s, best CPU {cpu:.2f} s, peak {mib:.0f} MiB")
print(f"ratio (vocabulary / none): wall {best['vocabulary'][0] / best['plain'][0]:.3f}, CPU {best['vocabulary'][1] / best['plain'][1]:.3f}")
PY
