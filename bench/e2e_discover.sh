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

# Runs discover $runs times on corpus $1 ($2 events); prints one summary line and leaves the
# max RSS in KiB in $tmp/rss.
bench_one() {
  local input=$1 n=$2 bytes i
  bytes=$(stat -c %s "$input")
  : >"$tmp/samples"
  for ((i = 1; i <= runs; i++)); do
    if ! measure "$tmp/one" "$gatescope" discover --inventory /dev/null "$input" \
        >/dev/null 2>"$tmp/stderr"; then
      echo "e2e_discover: gatescope failed on $input (run $i):" >&2
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
}

echo "gatescope discover: $gatescope"
bench_one "$big" "$events"
rss_big=$(cat "$tmp/rss")
bench_one "$small" "$small_events"
rss_small=$(cat "$tmp/rss")
awk -v b="$rss_big" -v s="$rss_small" -v nb="$events" -v ns="$small_events" 'BEGIN {
  printf "max RSS ratio %d/%d events: %.2f (near 1.0: memory flat in event count)\n", nb, ns,
         b / s }'
