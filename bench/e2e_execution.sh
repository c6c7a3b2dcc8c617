#!/usr/bin/env bash
# End-to-end throughput and memory of `gatescope discover` on a synthetic REST execution-log
# corpus (text export form, "<ISO-8601> (<requestId>) <text>" per line).
#
#   bench/e2e_execution.sh [BUILD_DIR=build] [EVENTS=5000000] [RUNS=3]
#
# The corpus comes from `execution_assembler_bench --write-corpus FILE N`: Lambda-proxy
# requests of 20-23 events, ~64 in flight, 2,000 requests/s of log time (see
# execution_assembler_bench.cc). Runs discover RUNS times on EVENTS events and on EVENTS/5
# events, and prints per size the input bytes, median wall time, median events/s and MB/s, and
# the max RSS. The RSS ratio big/small should stay near 1: memory must not grow with the
# number of events. Corpora are generated once into BUILD_DIR/bench-corpus/ and reused.
# Wall time includes reading and decoding the text, so events/s here is below the in-memory
# figure of execution_assembler_bench.
set -euo pipefail

build_dir=${1:-build}
events=${2:-5000000}
runs=${3:-3}
gatescope=$build_dir/apps/gatescope
generator=$build_dir/bench/execution_assembler_bench
corpus_dir=$build_dir/bench-corpus
small_events=$((events / 5))

if ! [[ $events =~ ^[0-9]+$ && $runs =~ ^[0-9]+$ && $small_events -gt 0 && $runs -gt 0 ]]; then
  echo "usage: $0 [BUILD_DIR] [EVENTS>=5] [RUNS>=1]" >&2
  exit 2
fi
for bin in "$gatescope" "$generator"; do
  if [[ ! -x $bin ]]; then
    echo "e2e_execution: $bin not found; build targets gatescope and execution_assembler_bench" >&2
    exit 1
  fi
done

# Generates the corpus for $1 events unless present; prints its path, and leaves the exact
# event count (whole requests, so slightly above $1) in $path.count. Written under a temporary
# name first, so that an interrupted run never leaves a short corpus to reuse.
corpus() {
  local path=$corpus_dir/execution-$1.log
  if [[ ! -s $path || ! -s $path.count ]]; then
    mkdir -p "$corpus_dir"
    "$generator" --write-corpus "$path.tmp" "$1" | awk '{ print $1 }' >"$path.count.tmp"
    mv "$path.tmp" "$path"
    mv "$path.count.tmp" "$path.count"
  fi
  echo "$path"
}

big=$(corpus "$events")
small=$(corpus "$small_events")

# Wall seconds and max RSS (KiB) of one command, as "SECONDS KIB" in the file $1. GNU time
# when it works; otherwise the same figures from Python (ru_maxrss is KiB on Linux).
if /usr/bin/time -f '%e %M' -o /dev/stdout true 2>/dev/null | grep -Eq '^[0-9.]+ [0-9]+$'; then
  measure() {
    local out=$1
    shift
    /usr/bin/time -f '%e %M' -o "$out" "$@"
  }
else
  measure() {
    python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
start = time.monotonic()
rc = subprocess.call(cmd)
secs = time.monotonic() - start
with open(out, "w") as f:
    f.write(f"{secs:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\n")
sys.exit(rc)
EOF
  }
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs discover $runs times on corpus $1; prints one summary line and leaves the max RSS in
# KiB in $tmp/rss.
bench_one() {
  local input=$1 n bytes i
  n=$(cat "$input.count")
  bytes=$(stat -c %s "$input")
  : >"$tmp/samples"
  for ((i = 1; i <= runs; i++)); do
    if ! measure "$tmp/one" "$gatescope" discover --inventory /dev/null "$input" \
        >/dev/null 2>"$tmp/stderr"; then
      echo "e2e_execution: gatescope failed on $input (run $i):" >&2
      tail -20 "$tmp/stderr" >&2
      exit 1
    fi
    tail -1 "$tmp/one" >>"$tmp/samples"  # GNU time may prefix a status line.
  done
  sort -n -k1,1 "$tmp/samples" | awk -v n="$n" -v bytes="$bytes" -v runs="$runs" \
      -v rssfile="$tmp/rss" '
    { secs[NR] = $1; if ($2 > rss) rss = $2 }
    END {
      med = (NR % 2) ? secs[(NR + 1) / 2] : (secs[NR / 2] + secs[NR / 2 + 1]) / 2
      if (med <= 0) med = 0.001  # GNU time has 10 ms resolution.
      printf "%9d events  %11d input bytes  median %6.2f s  %9.0f events/s  %6.1f MB/s  " \
             "max RSS %6.1f MB  (%d runs)\n", n, bytes, med, n / med, bytes / 1e6 / med,
             rss / 1024, runs
      print rss > rssfile
    }'
  # The last run's own summary, for a glance at what discover made of the corpus.
  grep -iE 'transaction|event|partial|drop' "$tmp/stderr" | head -6 | sed 's/^/    /' || true
}

echo "gatescope discover (execution logs): $gatescope"
bench_one "$big"
rss_big=$(cat "$tmp/rss")
bench_one "$small"
rss_small=$(cat "$tmp/rss")
awk -v b="$rss_big" -v s="$rss_small" -v nb="$events" -v ns="$small_events" 'BEGIN {
  printf "max RSS ratio %d/%d events: %.2f (near 1.0: memory flat in event count)\n", nb, ns,
         b / s }'
