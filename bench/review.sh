#!/usr/bin/env bash
# Times `karma review --format json` on a 50,000-resource plan JSON (a real
# 5,000-resource plan made by terraform, fanned out) against jq reading the
# same file, side by side: `jq -c .` (read and write it back) and `jq empty`
# (read only). Prints medians, ratios, and peak memory against the file size.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
root=$(cd "$here/.." && pwd)
karma="$root/bin/karma"
runs=${RUNS:-5}
export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1

plan="$root/bin/bench/plan-50000.json"
if [ ! -f "$plan" ]; then
  echo "generating the 50,000-resource plan (terraform plans 5,000 resources once, then they are fanned out)..." >&2
  (cd "$root" && go run ./internal/planfixture/bigplan "$plan")
fi
size=$(stat -c %s "$plan")

declare -a karma_ms jqc_ms jqe_ms
for i in $(seq 1 "$runs"); do
  karma_ms+=("$(time_ms "$karma" review --format json "$plan")")
  jqc_ms+=("$(time_ms jq -c . "$plan")")
  jqe_ms+=("$(time_ms jq empty "$plan")")
done

peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
k=$(median "${karma_ms[@]}"); c=$(median "${jqc_ms[@]}"); e=$(median "${jqe_ms[@]}")
printf '\nreview benchmark: %s (%d MB, %s resources), median of %d runs (%s)\n' "$(basename "$plan")" $((size / 1000000)) \
  "$(jq '.resource_changes | length' "$plan")" "$runs" "$(jq --version)"
printf '%-36s %10s %10s\n' command ms "karma / it"
printf '%-36s %10d %10s\n' "karma review --format json" "$k" ""
printf '%-36s %10d %9sx\n' "jq -c . (read and write)" "$c" "$(ratio "$k" "$c")"
printf '%-36s %10d %9sx\n' "jq empty (read only)" "$e" "$(ratio "$k" "$e")"
printf 'karma time / jq time: %sx against jq -c ., %sx against jq empty (goal: at most 1.5x)\n' "$(ratio "$k" "$c")" "$(ratio "$k" "$e")"
if [ -x /usr/bin/time ]; then
  km=$(peak_kb "$karma" review --format json "$plan"); jm=$(peak_kb jq -c . "$plan")
  printf 'peak memory: karma %d MB = %sx the file (goal: at most 4x); jq %d MB = %sx\n' \
    $((km / 1000)) "$(ratio $((km * 1000)) "$size")" $((jm / 1000)) "$(ratio $((jm * 1000)) "$size")"
fi
