#!/usr/bin/env bash
# Times `karma log sync` of 10,000 pending events to a local S3 server
# (Versity S3 Gateway) against `aws s3 cp --recursive` of the same event files
# to another prefix of the same server, side by side; prints the ratio.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
root=$(cd "$here/.." && pwd)
karma="$root/bin/karma"
runs=${RUNS:-3}
events=${EVENTS:-10000}
command -v aws >/dev/null || { echo "the aws CLI is needed for this comparison" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/karma-bench-sync.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export AWS_ACCESS_KEY_ID=benchkey AWS_SECRET_ACCESS_KEY=benchsecret AWS_REGION=us-east-1 \
  AWS_ENDPOINT_URL_S3="http://127.0.0.1:$port" AWS_EC2_METADATA_DISABLED=true KARMA_S3_PATH_STYLE=true
mkdir -p "$work/s3"
ROOT_ACCESS_KEY=$AWS_ACCESS_KEY_ID ROOT_SECRET_KEY=$AWS_SECRET_ACCESS_KEY \
  "$root/bin/versitygw" --port "127.0.0.1:$port" posix "$work/s3" >"$work/versitygw.log" 2>&1 &
gw=$!
trap 'kill $gw 2>/dev/null; rm -rf "$work" "$bench_out"' EXIT
for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
aws --endpoint-url "$AWS_ENDPOINT_URL_S3" s3 mb s3://bench >/dev/null

(cd "$root" && go run ./internal/loggen/genlog -bare "$events" "$work/log")
mkdir -p "$work/files"
split -l 1 -a 5 "$work/log/events.jsonl" "$work/files/event-"   # the same bytes, one event per file

declare -a k a
for i in $(seq 1 "$runs"); do
  rm -f "$work/log/mirror-state.json"
  k+=("$(time_ms "$karma" --log-dir "$work/log" --mirror "s3://bench/karma-$i" log sync)")
  a+=("$(time_ms aws --endpoint-url "$AWS_ENDPOINT_URL_S3" s3 cp --recursive --quiet "$work/files" "s3://bench/aws-$i/")")
done
uploaded=$(aws --endpoint-url "$AWS_ENDPOINT_URL_S3" s3 ls --recursive "s3://bench/karma-1/" | wc -l)
km=$(median "${k[@]}"); am=$(median "${a[@]}")
printf '\nsync benchmark: %d pending events to a local Versity S3 Gateway, median of %d runs (%s)\n' "$events" "$runs" "$(aws --version 2>&1 | cut -d' ' -f1)"
printf '%-44s %8s %12s\n' command ms "karma / it"
printf '%-44s %8d %12s\n' "karma log sync" "$km" ""
printf '%-44s %8d %11sx  (goal: at most 0.5x)\n' "aws s3 cp --recursive (same event files)" "$am" "$(ratio "$km" "$am")"
printf 'karma uploaded %d objects per run (each event once)\n' "$uploaded"
