# Shared by bench/e2e_*.sh (sourced): times `gatescope discover` on a corpus and reports
# median throughput and max RSS. Expects $gatescope, $runs and $e2e_name to be set.

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

e2e_tmp=$(mktemp -d)
trap 'rm -rf "$e2e_tmp"' EXIT

# Runs discover $runs times on corpus $1 ($2 events); prints one summary line and leaves the
# max RSS in KiB in $e2e_tmp/rss.
bench_one() {
  local input=$1 n=$2 bytes i
  bytes=$(stat -c %s "$input")
  : >"$e2e_tmp/samples"
  for ((i = 1; i <= runs; i++)); do
    if ! measure "$e2e_tmp/one" "$gatescope" discover --inventory /dev/null "$input" \
        >/dev/null 2>"$e2e_tmp/stderr"; then
      echo "$e2e_name: gatescope failed on $input (run $i):" >&2
      tail -20 "$e2e_tmp/stderr" >&2
      exit 1
    fi
    tail -1 "$e2e_tmp/one" >>"$e2e_tmp/samples"  # GNU time may prefix a status line.
  done
  sort -n -k1,1 "$e2e_tmp/samples" | awk -v n="$n" -v bytes="$bytes" -v runs="$runs" \
      -v rssfile="$e2e_tmp/rss" '
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
  grep -iE 'requests rebuilt|events read|partial|dropped' "$e2e_tmp/stderr" | head -6 |
    sed 's/^/    /' || true
}

# Benchmarks corpus $1 ($2 events) and corpus $3 ($4 events), then prints the RSS ratio.
bench_two_sizes() {
  local rss_big rss_small
  bench_one "$1" "$2"
  rss_big=$(cat "$e2e_tmp/rss")
  bench_one "$3" "$4"
  rss_small=$(cat "$e2e_tmp/rss")
  awk -v b="$rss_big" -v s="$rss_small" -v nb="$2" -v ns="$4" 'BEGIN {
    printf "max RSS ratio %d/%d events: %.2f (near 1.0: memory flat in event count)\n", nb, ns,
           b / s }'
}
