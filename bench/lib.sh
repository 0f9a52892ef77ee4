# Helpers shared by the benchmark scripts: timing and medians.

# now_ns prints the time in nanoseconds.
now_ns() { date +%s%N; }

# bench_out receives timed commands' output: a real file, because GNU grep
# stops at the first match when its output is /dev/null.
bench_out=$(mktemp "${TMPDIR:-/tmp}/karma-bench-out.XXXXXX")
trap 'rm -f "$bench_out"' EXIT

# time_ms runs a command with its output sent to a scratch file and prints how
# long it took, in ms.
time_ms() {
  local start end
  start=$(now_ns)
  "$@" >"$bench_out" 2>&1 || { echo "benchmark command failed: $*" >&2; return 1; }
  end=$(now_ns)
  echo $(( (end - start) / 1000000 ))
}

# median prints the median of its arguments.
median() {
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'
}

# ratio prints a/b with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
