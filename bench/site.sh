#!/usr/bin/env bash
# Builds the site of generated catalogs (1,000, 5,000 and 10,000 events by default, 20 events per
# domain, so 500 domains at 10,000, and 12 realistic fields per schema, one a nested record; two
# commits each, so every event page has a history) and prints the build's wall time and peak memory, the
# site's size and what a first page load downloads; then, when Chromium and the Python venv are
# there (tests/python/venv.sh), times searches in the browser on the largest site. Builds also run
# into /dev/shm when there is one: on a slow disk, creating the 12,000 folders dominates.
# Usage: bench/site.sh [SIZES...]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 10000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --locked --quiet --bin evcat --example gencat
evcat=$PWD/target/release/evcat
gencat=$PWD/target/release/examples/gencat
shape="--per-domain 20 --fields 12"
# The best of three builds into $2: "seconds peak-KiB".
best_build() {
  local best= seconds kib
  for _ in 1 2 3; do
    rm -rf "$2"
    sync
    /usr/bin/time -o "$work/time" -f "%e %M" "$evcat" --catalog "$1" --quiet site build --out "$2"
    read -r seconds kib <"$work/time"
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(not $seconds < ${best%% *})"; then best="$seconds $kib"; fi
  done
  echo "$best"
}
git_quiet() { git -C "$1" -c user.name=bench -c user.email=bench@example.com "${@:2}" >/dev/null; }
for size in "${sizes[@]}"; do
  catalog="$work/c$size"
  "$gencat" --events "$size" --out "$catalog" --level BACKWARD_TRANSITIVE $shape >/dev/null
  git_quiet "$catalog" init -q -b main
  git_quiet "$catalog" config gc.auto 0
  git_quiet "$catalog" add -A
  git_quiet "$catalog" commit -q -m v0
  "$gencat" --events "$size" --out "$catalog" --level BACKWARD_TRANSITIVE $shape --revision 1 --changed $((size / 100)) >/dev/null
  git_quiet "$catalog" add -A
  git_quiet "$catalog" commit -q -m v1
  # Packed, as a clone is and as Git's own `gc --auto` leaves a repository after such commits;
  # measured before it could start in the background and share the machine with the command.
  git_quiet "$catalog" gc -q
  best=$(best_build "$catalog" "$work/site")
  in_memory=
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    shm=$(mktemp -d /dev/shm/evcat-site-bench.XXXXXX)
    in_memory=$(best_build "$catalog" "$shm/site")
    rm -rf "$shm"
    in_memory=$(printf '; on tmpfs %.2f s' "${in_memory%% *}")
  fi
  read -r seconds kib <<<"$best"
  size_mib=$(du -sm "$work/site" | cut -f1)
  first_kib=$(( ($(stat -c %s "$work/site/index.html") + $(stat -c %s "$work/site/assets/site.css") + $(stat -c %s "$work/site/assets/search.js")) / 1024 ))
  dict_kib=$(( $(stat -c %s "$work/site/search/dict.js") / 1024 ))
  printf '%6s events: build %6.2f s%s, %5d MiB peak; site %4s MiB; first page load %d KiB; first search loads %d KiB of dictionary\n' \
    "$size" "$seconds" "$in_memory" $((kib / 1024)) "$size_mib" "$first_kib" "$dict_kib"
done
if command -v chromium >/dev/null && [ -x target/python-venv/bin/python ]; then
  echo "search in headless Chromium on the ${sizes[-1]}-event site (from file://):"
  target/python-venv/bin/python bench/site_search.py "$work/site"
fi
