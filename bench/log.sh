#!/usr/bin/env bash
# Times `karma log list --component X --json` on a 200,000-event log against
# `grep -F '"component":"X"'` and `jq -c 'select(.component=="X")'` on the same
# file, side by side; shows karma's memory stays flat as the log grows; and
# times `karma log verify` of 1,000,000 events.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
root=$(cd "$here/.." && pwd)
karma="$root/bin/karma"
runs=${RUNS:-5}
component=infra/component-07

log_of() { # log_of EVENTS: the directory of a generated log of that many events
  local dir="$root/bin/bench/log-$1"
  if [ ! -s "$dir/events.jsonl" ]; then
    echo "generating a $1-event log..." >&2
    rm -rf "$dir"
    (cd "$root" && go run ./internal/loggen/genlog "$1" "$dir")
  fi
  echo "$dir"
}

small=$(log_of 200000)
file="$small/events.jsonl"
declare -a k g j
for i in $(seq 1 "$runs"); do
  k+=("$(time_ms "$karma" --log-dir "$small" log list --component "$component" --json)")
  g+=("$(time_ms grep -F "\"component\":\"$component\"" "$file")")
done
for i in $(seq 1 $(( runs < 3 ? runs : 3 ))); do
  j+=("$(time_ms jq -c "select(.component==\"$component\")" "$file")")
done
km=$(median "${k[@]}"); gm=$(median "${g[@]}"); jm=$(median "${j[@]}")
matches=$("$karma" --log-dir "$small" log list --component "$component" --json | wc -l)
printf '\nlog list benchmark: 200,000 events (%d MB), --component %s matches %d\n' $(( $(stat -c %s "$file") / 1000000 )) "$component" "$matches"
printf '%-44s %8s %12s\n' command ms "karma / it"
printf '%-44s %8d %12s\n' "karma log list --component X --json" "$km" ""
printf '%-44s %8d %11sx  (goal: at most 2x)\n' "grep -F '\"component\":\"X\"'" "$gm" "$(ratio "$km" "$gm")"
printf '%-44s %8d %11sx  (goal: jq at least 5x slower, i.e. at most 0.20x)\n' "jq -c 'select(.component==\"X\")'" "$jm" "$(ratio "$km" "$jm")"

big=$(log_of 1000000)
if [ -x /usr/bin/time ]; then
  peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
  p1=$(peak "$karma" --log-dir "$small" log list --component "$component" --json)
  p2=$(peak "$karma" --log-dir "$big" log list --component "$component" --json)
  printf 'peak memory of karma log list: %d MB on 200,000 events, %d MB on 1,000,000 events\n' $((p1 / 1000)) $((p2 / 1000))
fi
v=$(time_ms "$karma" --log-dir "$big" log verify)
printf 'karma log verify of 1,000,000 events (%d MB): %d ms (goal: under 30 s)\n' $(( $(stat -c %s "$big/events.jsonl") / 1000000 )) "$v"
