#!/usr/bin/env bash
# Times `evcat import registry` (issue 14: 1,000 subjects from a served registry in under 5 s)
# in release mode: a generated catalog of 997 events (1,000 subjects with its 3 shared schemas)
# is pushed to `evcat registry serve` on loopback, then imported into a new folder three
# times, and once more with --history (a commit per registered version).
# Usage: bench/import.sh [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-997}
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cargo build --release --locked --quiet --bin evcat --example gencat
evcat=$PWD/target/release/evcat
./target/release/examples/gencat --events "$events" --out "$work/catalog" >/dev/null

"$evcat" registry serve --dir "$work/registry" --listen 127.0.0.1:0 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do grep -q listening "$work/serve.log" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/.*listening on //p' "$work/serve.log")
printf 'environments:\n  - name: bench\n    registry: { url: "%s" }\n' "$url" >>"$work/catalog/evcat.yaml"
"$evcat" --catalog "$work/catalog" --quiet push --env bench >/dev/null

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
