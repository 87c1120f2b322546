#!/usr/bin/env bash
# Times `evcat check` in release mode on a generated 10,000-event catalog in a Git repository:
#   1. 100 events changed, BACKWARD (issue #3's target: under 1 s);
#   2. 100 events changed, BACKWARD_TRANSITIVE, 20 versions of every schema in history (under 3 s).
# Usage: bench/check.sh [EVENTS] [CHANGED] [VERSIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-10000}
changed=${2:-100}
versions=${3:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --locked --quiet --bin evcat --example gencat
gencat=$PWD/target/release/examples/gencat
evcat=$PWD/target/release/evcat
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

time_check() {
  local label=$1 dir=$2
  "$evcat" --catalog "$dir" check >/dev/null || true   # warm the page cache
  for run in 1 2 3; do
    if [ -x /usr/bin/time ]; then
      { /usr/bin/time -o "$work/time" -f "$label run $run: wall %e s, peak RSS %M KiB" "$evcat" --catalog "$dir" check || true; } | tail -1
      cat "$work/time"
    else
      { "$evcat" --catalog "$dir" check || true; } | tail -1
    fi
  done
}

# Each scenario commits its last revision too and runs `check` on the clean tree (baseline: HEAD's
# parent), as CI does after checkout.

# 1. One commit, then a second where $changed events gained a field (compatible).
one="$work/one"
"$gencat" --events "$events" --out "$one"
git -C "$one" init -q && git -C "$one" config gc.auto 0 && git -C "$one" add -A && git -C "$one" commit -qm "revision 0"
"$gencat" --events "$events" --out "$one" --revision 1 --changed "$changed"
git -C "$one" add -A && git -C "$one" commit -qm "revision 1"
git -C "$one" gc -q # packed, as a clone is (Git's gc --auto would pack it in the background)
time_check "non-transitive ($events events, $changed changed)" "$one"

# 2. $versions commits, each a compatible revision of every schema, then $changed changed again.
many="$work/many"
"$gencat" --events "$events" --out "$many" --level BACKWARD_TRANSITIVE
git -C "$many" init -q && git -C "$many" config gc.auto 0 && git -C "$many" add -A && git -C "$many" commit -qm "revision 0"
for revision in $(seq 1 $((versions - 1))); do
  "$gencat" --events "$events" --out "$many" --revision "$revision" --level BACKWARD_TRANSITIVE
  git -C "$many" add -A && git -C "$many" commit -qm "revision $revision"
done
"$gencat" --events "$events" --out "$many" --revision "$versions" --changed "$changed" --base $((versions - 1)) --level BACKWARD_TRANSITIVE
git -C "$many" add -A && git -C "$many" commit -qm "revision $versions"
git -C "$many" gc -q
time_check "transitive ($events events, $changed changed, $versions versions)" "$many"
