#!/usr/bin/env bash
# Runs each command on generated catalogs of growing size and prints, per command and size, the
# wall time and peak memory, and the growth ratio between consecutive sizes, so that anything
# superlinear shows in one run (linear growth: the ratio of the sizes).
# Usage: bench/scale.sh [SIZES...]   (default: 1000 10000 50000)
# Pushes run up to 10,000 events unless SCALE_PUSH_MAX says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000)
push_max=${SCALE_PUSH_MAX:-10000}
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cargo build --release --locked --quiet --bin evcat --example gencat
evcat=$PWD/target/release/evcat
gencat=$PWD/target/release/examples/gencat
results="$work/results"
: >"$results"

# measure NAME SIZE COMMAND...: the fastest of RUNS runs (default 3; pushes change state, so
# they run once), after the files just written reach the disk, so writeback does not share the
# machine with the command measured.
measure() {
  local name=$1 size=$2 runs=${RUNS:-3}
  shift 2
  sync
  local best_seconds= best_kib=
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$work/time" -f "%e %M" "$@" >/dev/null 2>&1 || true
    read -r seconds kib <"$work/time"
    if [ -z "$best_seconds" ] || python3 -c "import sys; sys.exit(not $seconds < $best_seconds)"; then
      best_seconds=$seconds best_kib=$kib
    fi
  done
  echo "$name $size $best_seconds $best_kib" >>"$results"
  printf '%-26s %7s events: %7.2f s %8d KiB\n' "$name" "$size" "$best_seconds" "$best_kib"
}

git_quiet() { git -C "$1" -c user.name=bench -c user.email=bench@example.com "${@:2}" >/dev/null; }

for size in "${sizes[@]}"; do
  catalog="$work/c$size"
  "$gencat" --events "$size" --out "$catalog" --level BACKWARD_TRANSITIVE >/dev/null
  git_quiet "$catalog" init -q -b main
  git_quiet "$catalog" config gc.auto 0
  git_quiet "$catalog" add -A
  git_quiet "$catalog" commit -q -m v0
  "$evcat" --catalog "$catalog" lint >/dev/null 2>&1 || true
  measure lint "$size" "$evcat" --catalog "$catalog" lint
  # A compatible revision of 1% of the events, committed: check compares HEAD with its parent.
  "$gencat" --events "$size" --out "$catalog" --level BACKWARD_TRANSITIVE --revision 1 --changed $((size / 100)) >/dev/null
  git_quiet "$catalog" add -A
  git_quiet "$catalog" commit -q -m v1
  # Packed, as a clone is and as Git's own `gc --auto` leaves a repository after such commits;
  # measured before it could start in the background and share the machine with the command.
  git_quiet "$catalog" gc -q
  measure "check (clean tree)" "$size" "$evcat" --catalog "$catalog" check
  git_quiet "$catalog" branch -q base HEAD~1
  measure "check --against" "$size" "$evcat" --catalog "$catalog" check --against base
  measure "list events" "$size" "$evcat" --catalog "$catalog" list events
  measure "search" "$size" "$evcat" --catalog "$catalog" search amount
  measure "show" "$size" "$evcat" --catalog "$catalog" show domain000/Event00000Happened
  measure "graph --domains" "$size" "$evcat" --catalog "$catalog" graph --domains
  measure "history" "$size" "$evcat" --catalog "$catalog" history domain000/Event00000Happened
  if [ "$size" -le "$push_max" ]; then
    printf 'environments:\n  - name: bench\n    registry: { embedded: .registries/bench }\n' >>"$catalog/evcat.yaml"
    RUNS=1 measure "first push (embedded)" "$size" "$evcat" --catalog "$catalog" push --env bench
    measure "no-op push (embedded)" "$size" "$evcat" --catalog "$catalog" push --env bench
    "$evcat" registry serve --dir "$work/r$size" --listen 127.0.0.1:0 2>"$work/serve.log" &
    server=$!
    for _ in $(seq 100); do grep -q listening "$work/serve.log" 2>/dev/null && break; sleep 0.05; done
    url=$(sed -n 's/.*listening on //p' "$work/serve.log")
    printf '  - name: served\n    registry: { url: "%s" }\n' "$url" >>"$catalog/evcat.yaml"
    RUNS=1 measure "first push (served)" "$size" "$evcat" --catalog "$catalog" push --env served
    measure "no-op push (served)" "$size" "$evcat" --catalog "$catalog" push --env served
    kill "$server"; server=
  fi
  rm -rf "$catalog"
done

echo
echo "growth between consecutive sizes (time ratio / size ratio; linear when about equal):"
python3 - "$results" <<'PY'
import sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    *name, size, seconds, kib = line.split()
    rows[" ".join(name)].append((int(size), float(seconds), int(kib)))
for name, points in rows.items():
    steps = []
    for (s1, t1, _), (s2, t2, _) in zip(points, points[1:]):
        ratio = t2 / t1 if t1 > 0 else float("inf")
        steps.append(f"{s1}->{s2}: {ratio:.1f} / {s2 / s1:.0f}")
    print(f"{name:26} {'; '.join(steps) or '(one size)'}; peak {max(p[2] for p in points) // 1024} MiB")
PY
