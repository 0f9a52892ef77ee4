#!/usr/bin/env bash
# The demo: karma applies the bundled configuration (fixtures/demo), then a
# change to it, with a temporary audit log, and shows what the log remembers.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
karma="$root/bin/karma"
work=$(mktemp -d "${TMPDIR:-/tmp}/karma-demo.XXXXXX")
export KARMA_LOG_DIR="$work/log" CHECKPOINT_DISABLE=1
# terraform warns when ~/.terraformrc is missing; the demo needs no CLI config.
[ -f "$HOME/.terraformrc" ] || export TF_CLI_CONFIG_FILE=/dev/null

cp -R "$root/fixtures/demo" "$work/demo"
cd "$work/demo"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "karma init"
"$karma" init >/dev/null
step "karma apply -auto-approve   (first deploy)"
"$karma" apply -auto-approve
step "karma apply -auto-approve -var environment=staging   (a change: one update, one replacement)"
"$karma" apply -auto-approve -var environment=staging
step "karma apply -auto-approve   (nothing to do: recorded as no_changes)"
"$karma" apply -auto-approve -var environment=staging >/dev/null
step "karma log list"
"$karma" log list

printf '\nThe audit log is in %s\n' "$KARMA_LOG_DIR"
printf 'Query it with: KARMA_LOG_DIR=%s %s log list --json\n' "$KARMA_LOG_DIR" "$karma"
