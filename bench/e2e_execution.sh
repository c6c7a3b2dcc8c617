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

e2e_name=e2e_execution
source "$(dirname "$0")/e2e_lib.sh"
echo "gatescope discover (execution logs): $gatescope"
# The corpus files record their exact event count (whole requests, so slightly above).
bench_two_sizes "$big" "$(cat "$big.count")" "$small" "$(cat "$small.count")"
