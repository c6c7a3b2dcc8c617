#!/usr/bin/env bash
# End-to-end throughput and memory of `gatescope discover` on a synthetic access-log corpus.
#
#   bench/e2e_discover.sh [BUILD_DIR=build] [EVENTS=1000000] [RUNS=5]
#
# Runs discover RUNS times on EVENTS events and on EVENTS/4 events, and prints per size the
# input bytes, median wall time, median events/s and MB/s, and the max RSS. The corpus has a
# bounded set of endpoints and paths (see make_corpus.py), so the RSS ratio big/small should
# stay near 1: memory must not grow with the number of events. Corpora are generated once
# into BUILD_DIR/bench-corpus/ and reused.
set -euo pipefail

build_dir=${1:-build}
events=${2:-1000000}
runs=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
gatescope=$build_dir/apps/gatescope
corpus_dir=$build_dir/bench-corpus
small_events=$((events / 4))

if ! [[ $events =~ ^[0-9]+$ && $runs =~ ^[0-9]+$ && $small_events -gt 0 && $runs -gt 0 ]]; then
  echo "usage: $0 [BUILD_DIR] [EVENTS>=4] [RUNS>=1]" >&2
  exit 2
fi

# Generates the corpus for $1 events unless present; prints its path. Written under a
# temporary name first, so that an interrupted run never leaves a short corpus to reuse.
corpus() {
  local path=$corpus_dir/access-$1.log
  if [[ ! -s $path ]]; then
    mkdir -p "$corpus_dir"
    python3 "$here/make_corpus.py" --events "$1" --out "$path.tmp" >&2
    mv "$path.tmp" "$path"
  fi
  echo "$path"
}

big=$(corpus "$events")
small=$(corpus "$small_events")

if [[ ! -x $gatescope ]]; then
  echo "e2e_discover: $gatescope not found; build it first (corpora are ready)" >&2
  exit 1
fi

e2e_name=e2e_discover
source "$here/e2e_lib.sh"
echo "gatescope discover: $gatescope"
bench_two_sizes "$big" "$events" "$small" "$small_events"
