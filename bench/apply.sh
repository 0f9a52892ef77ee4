#!/usr/bin/env bash
# Times `karma apply -auto-approve` against `terraform apply -auto-approve` on a
# generated 300-resource terraform_data configuration, side by side in one run:
# (a) 300 creates from an empty state, (b) no changes. Each case runs RUNS
# times, alternating which tool goes first; the medians and their ratio print.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
root=$(cd "$here/.." && pwd)
karma="$root/bin/karma"
runs=${RUNS:-7}
resources=${RESOURCES:-300}

work=$(mktemp -d "${TMPDIR:-/tmp}/karma-bench-apply.XXXXXX")
trap 'rm -rf "$work" "$bench_out"' EXIT
export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 KARMA_LOG_DIR="$work/log"

generate() {
  local dir=$1
  mkdir -p "$dir"
  for i in $(seq 1 "$resources"); do
    cat <<TF
resource "terraform_data" "r$i" {
  input = {
    name  = "resource-$i"
    tags  = { team = "platform", index = "$i" }
    zones = ["eu-1a", "eu-1b"]
  }
}
TF
  done > "$dir/main.tf"
  (cd "$dir" && terraform init -input=false >/dev/null)
}

generate "$work/tf"
generate "$work/karma"
tf_apply()    { (cd "$work/tf" && terraform apply -auto-approve -input=false); }
karma_apply() { (cd "$work/karma" && "$karma" apply -auto-approve); }
reset_state() { rm -f "$work/tf/terraform.tfstate"* "$work/karma/terraform.tfstate"*; }

declare -a tf_create karma_create tf_none karma_none
for i in $(seq 1 "$runs"); do
  reset_state
  if (( i % 2 )); then
    tf_create+=("$(time_ms tf_apply)"); karma_create+=("$(time_ms karma_apply)")
    tf_none+=("$(time_ms tf_apply)");   karma_none+=("$(time_ms karma_apply)")
  else
    karma_create+=("$(time_ms karma_apply)"); tf_create+=("$(time_ms tf_apply)")
    karma_none+=("$(time_ms karma_apply)");   tf_none+=("$(time_ms tf_apply)")
  fi
done

tc=$(median "${tf_create[@]}"); kc=$(median "${karma_create[@]}")
tn=$(median "${tf_none[@]}");   kn=$(median "${karma_none[@]}")
events=$(wc -l < "$KARMA_LOG_DIR/events.jsonl")
printf '\napply benchmark: %d terraform_data resources, median of %d runs (terraform %s)\n' \
  "$resources" "$runs" "$(terraform version -json | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')"
printf '%-28s %12s %12s %8s\n' case "terraform ms" "karma ms" ratio
printf '%-28s %12d %12d %7sx\n' "(a) $resources creates" "$tc" "$kc" "$(ratio "$kc" "$tc")"
printf '%-28s %12d %12d %7sx\n' "(b) no changes" "$tn" "$kn" "$(ratio "$kn" "$tn")"
printf 'karma recorded %d events\n' "$events"
