#!/usr/bin/env bash
# Times `evcat history` and `evcat show` of one event with 50 versions of its schema in Git, in a
# generated 10,000-event catalog (issue 11's figure: history under 1 s, show under 200 ms), and
# the site of that catalog (whose first CHANGED events, ten by default, have the 50 versions).
# `bench/history.sh 10000 20 10000` is the worst case for the site: every schema changes in every
# commit, under a transitive level.
# Usage: bench/history.sh [EVENTS] [VERSIONS] [CHANGED]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_init
events=${1:-10000}
versions=${2:-50}
changed=${3:-10}
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
catalog="$work/catalog"
"$gencat" --events "$events" --out "$catalog" --level BACKWARD_TRANSITIVE >/dev/null
git -C "$catalog" init -q && git -C "$catalog" config gc.auto 0
git -C "$catalog" add -A && git -C "$catalog" commit -qm "revision 0"
for revision in $(seq 1 $((versions - 1))); do
  # The first $changed events change in every commit; the others keep their first version.
  "$gencat" --events "$events" --out "$catalog" --revision "$revision" --changed "$changed" --level BACKWARD_TRANSITIVE >/dev/null
  git -C "$catalog" add -A && git -C "$catalog" commit -qm "revision $revision"
done
git -C "$catalog" gc -q # packed, as a clone is
event=domain000/Event00000Happened
echo "$("$evcat" --catalog "$catalog" history "$event" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["versions"]))') versions of $event in $(git -C "$catalog" rev-list --count HEAD) commits"
for command in "history $event" "show $event" "site build --out $work/site"; do
  best=
  for _ in 1 2 3; do
    rm -rf "$work/site"
    # shellcheck disable=SC2086 # the command's words are meant to split
    /usr/bin/time -o "$work/time" -f "%e %M" "$evcat" --catalog "$catalog" --quiet $command >/dev/null
    read -r seconds kib <"$work/time"
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(not $seconds < ${best%% *})"; then best="$seconds $kib"; fi
  done
  read -r seconds kib <<<"$best"
  printf '%-50s %6.2f s %6d MiB\n' "${command/$work\//}" "$seconds" $((kib / 1024))
done
