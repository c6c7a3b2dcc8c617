#!/usr/bin/env bash
# End-to-end ingest throughput of `gatescope serve` on loopback with SQLite (issue 7 target:
# at least 200,000 transactions/s on a 2-core machine, and the p99 batch latency).
#
#   bench/e2e_serve.sh [BUILD_DIR] [--runs N] [--seconds S] [--connections N] [--mix MIX]
#                      [--no-auth] [--keep DIR] [-- extra ingest_load flags]
#
# BUILD_DIR (default build-bench if it holds both binaries, else build) must hold
# apps/gatescope and bench/ingest_load (GS_BUILD_BENCH=ON; this script builds nothing).
# Environment defaults for the flags: E2E_SERVE_RUNS (3), E2E_SERVE_SECONDS (20),
# E2E_SERVE_CONNECTIONS (4), E2E_SERVE_MIX (mixed), E2E_SERVE_EXPECT_RATE (250000: sizes the
# pre-built pool, seconds x rate transactions; a faster server runs the pool out early, which
# ends the run but leaves its figures valid), E2E_SERVE_BATCH_RECORDS (1000).
#
# Each run: a fresh store, `gatescope serve --listen 127.0.0.1:0 --port-file F --store
# sqlite:DB --clients FILE` (two clients made with `gatescope auth add-client`: one
# inventory:ingest for the load, one inventory:read for the checks); waits for /healthz;
# ingest_load sends pre-built gzip NDJSON batches for S seconds; waits until /v1/apis counts
# every acknowledged transaction (the check: sum of requests == transactions acknowledged);
# samples the server's CPU (utime+stime from /proc/PID/stat, from the start of the load to the
# inventory catching up) and peak RSS (VmHWM); fetches /metrics; stops the server with SIGTERM
# (it must exit 0 within 30 s). Prints each run and the medians: transactions/s, p99 batch
# latency, server CPU seconds per million transactions, peak RSS. Exits 1 if any check failed.
#
# The request bodies are built once and cached in BUILD_DIR/bench-ingest/ (ingest_load
# --cache), so later runs and later invocations skip the build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
runs=${E2E_SERVE_RUNS:-3}
seconds=${E2E_SERVE_SECONDS:-20}
connections=${E2E_SERVE_CONNECTIONS:-4}
mix=${E2E_SERVE_MIX:-mixed}
expect_rate=${E2E_SERVE_EXPECT_RATE:-250000}
batch_records=${E2E_SERVE_BATCH_RECORDS:-1000}
no_auth=0
keep=
build_dir=
load_extra=()

usage() {
  sed -n '5,6p' "$0" | sed 's/^# \{0,1\}/usage: /' >&2
  exit 2
}

while (($#)); do
  case $1 in
    --runs) runs=${2:?}; shift 2 ;;
    --seconds) seconds=${2:?}; shift 2 ;;
    --connections) connections=${2:?}; shift 2 ;;
    --mix) mix=${2:?}; shift 2 ;;
    --no-auth) no_auth=1; shift ;;
    --keep) keep=${2:?}; shift 2 ;;
    --) shift; load_extra=("$@"); break ;;
    -h|--help) usage ;;
    -*) echo "e2e_serve: unknown flag $1" >&2; usage ;;
    *) [[ -z $build_dir ]] || usage; build_dir=$1; shift ;;
  esac
done
if [[ -z $build_dir ]]; then
  build_dir=build
  [[ -x build-bench/apps/gatescope && -x build-bench/bench/ingest_load ]] && build_dir=build-bench
fi
if ! [[ $runs =~ ^[1-9][0-9]*$ && $seconds =~ ^[0-9]+([.][0-9]+)?$ && $connections =~ ^[1-9][0-9]*$ ]]; then
  echo "e2e_serve: --runs and --connections must be positive integers, --seconds a number" >&2
  exit 2
fi

gatescope=$build_dir/apps/gatescope
loader=$build_dir/bench/ingest_load
for bin in "$gatescope" "$loader"; do
  if [[ ! -x $bin ]]; then
    echo "e2e_serve: $bin not found; build targets gatescope and ingest_load (GS_BUILD_BENCH=ON)" >&2
    exit 1
  fi
done

# shellcheck source=bench/e2e_lib.sh
source "$here/e2e_lib.sh"  # $e2e_tmp, removed on exit.
server_pid=
stop_server_now() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap 'stop_server_now; rm -rf "$e2e_tmp"' EXIT
trap 'exit 130' INT TERM

clk_tck=$(getconf CLK_TCK)
failed=0
fail() {
  echo "e2e_serve: FAIL: $*" >&2
  failed=1
}

# CPU seconds (user + system) of process $1 so far. Fields after the command name, which is in
# parentheses and may hold spaces: utime and stime are fields 14 and 15 of the whole line.
proc_cpu_seconds() {
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  awk -v u="${12}" -v s="${13}" -v hz="$clk_tck" 'BEGIN { printf "%.3f\n", (u + s) / hz }'
}

# Peak RSS of process $1 in KiB (VmHWM).
proc_peak_kib() {
  awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

# A JSON field of file $1 by Python expression $2 over `d`.
json_get() {
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# --- The load's request bodies, built once. ---------------------------------------------------
cache_dir=$build_dir/bench-ingest
mkdir -p "$cache_dir"
cache=$cache_dir/pool-$mix-$batch_records.bin
load_common=(--seconds "$seconds" --expect-rate "$expect_rate" --batch-records "$batch_records"
             --mix "$mix" --connections "$connections" --cache "$cache" "${load_extra[@]}")
echo "e2e_serve: preparing request bodies ($cache)"
"$loader" --build-only "${load_common[@]}"

# --- Clients. ----------------------------------------------------------------------------------
clients=$e2e_tmp/clients.json
auth_note=
if ((no_auth)); then
  auth_note="NO AUTH (asked for with --no-auth)"
elif "$gatescope" auth add-client --id e2e-ingest --scope inventory:ingest \
       >"$e2e_tmp/ingest-client.json" 2>"$e2e_tmp/add-client.err" &&
     "$gatescope" auth add-client --id e2e-read --scope inventory:read \
       >"$e2e_tmp/read-client.json" 2>>"$e2e_tmp/add-client.err"; then
  python3 - "$e2e_tmp/ingest-client.json" "$e2e_tmp/read-client.json" "$clients" <<'EOF'
import json, sys
ingest, read = (json.load(open(p)) for p in sys.argv[1:3])
with open(sys.argv[3], "w") as f:
    json.dump({"clients": [ingest["client"], read["client"]]}, f)
EOF
  ingest_id=$(json_get "$e2e_tmp/ingest-client.json" 'd["client"]["id"]')
  ingest_secret=$(json_get "$e2e_tmp/ingest-client.json" 'd["client_secret"]')
  read_id=$(json_get "$e2e_tmp/read-client.json" 'd["client"]["id"]')
  read_secret=$(json_get "$e2e_tmp/read-client.json" 'd["client_secret"]')
  auth_note="OAuth2 client credentials (gatescope auth add-client)"
else
  echo "e2e_serve: 'gatescope auth add-client' failed; running the server with --no-auth:" >&2
  sed 's/^/    /' "$e2e_tmp/add-client.err" >&2
  no_auth=1
  auth_note="NO AUTH (gatescope auth add-client unavailable)"
fi

# --- One run. ----------------------------------------------------------------------------------
# Appends "tx_per_s p99_ms server_cpu_s_per_million peak_rss_mb client_cpu_us_per_tx" to
# $e2e_tmp/samples.
run_one() {
  local run=$1 dir=$e2e_tmp/run$1 base port i
  mkdir -p "$dir"
  local serve=("$gatescope" serve --listen 127.0.0.1:0 --port-file "$dir/port"
               --store "sqlite:$dir/inv.db")
  if ((no_auth)); then serve+=(--no-auth); else serve+=(--clients "$clients"); fi
  "${serve[@]}" >"$dir/server.log" 2>&1 &
  server_pid=$!

  # Listening: the port file, then /healthz.
  port=
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      fail "run $run: the server exited while starting:"
      tail -20 "$dir/server.log" >&2
      server_pid=
      return 1
    fi
    if [[ -s $dir/port ]]; then
      port=$(tr -dc '0-9' <"$dir/port")
      [[ -n $port ]] && curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
    fi
    sleep 0.1
  done
  if ((i == 300)); then
    fail "run $run: the server did not answer /healthz within 30 s"
    tail -20 "$dir/server.log" >&2
    stop_server_now
    return 1
  fi
  base=http://127.0.0.1:$port

  local read_auth=()
  if ((!no_auth)); then
    if ! curl -fsS -u "$read_id:$read_secret" -d grant_type=client_credentials \
         "$base/oauth2/token" >"$dir/read-token.json" 2>"$dir/read-token.err"; then
      fail "run $run: no read token from /oauth2/token: $(cat "$dir/read-token.err")"
      stop_server_now
      return 1
    fi
    read_auth=(-H "Authorization: Bearer $(json_get "$dir/read-token.json" 'd["access_token"]')")
  fi

  # The load.
  local cpu0 cpu1 load_rc=0 load_auth=()
  ((no_auth)) || load_auth=(--client-id "$ingest_id" --client-secret "$ingest_secret")
  cpu0=$(proc_cpu_seconds "$server_pid")
  "$loader" --url "$base" "${load_auth[@]}" "${load_common[@]}" --json \
    >"$dir/load.json" 2>"$dir/load.err" || load_rc=$?
  if [[ ! -s $dir/load.json ]]; then
    fail "run $run: ingest_load exited $load_rc without results:"
    tail -20 "$dir/load.err" >&2
    stop_server_now
    return 1
  fi
  ((load_rc == 0)) || fail "run $run: ingest_load exited $load_rc (failed batches: $(json_get "$dir/load.json" 'd["failures_by_status"]'))"
  local sent
  sent=$(json_get "$dir/load.json" 'd["transactions"]')

  # The inventory must count every acknowledged transaction (it may lag the acknowledgements by
  # its render interval: poll for up to 30 s).
  local counted=-1
  for ((i = 0; i < 60; i++)); do
    if curl -fsS "${read_auth[@]}" "$base/v1/apis" >"$dir/apis.json" 2>"$dir/apis.err"; then
      counted=$(python3 - "$dir/apis.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
apis = d.get("apis", d.get("items", [])) if isinstance(d, dict) else d
total = 0
for api in apis:
    if "requests" in api:
        total += api["requests"]
    elif isinstance(api.get("endpoints"), list):
        total += sum(e.get("requests", 0) for e in api["endpoints"])
if isinstance(d, dict) and isinstance(d.get("unattributed"), int):
    total += d["unattributed"]  # Requests the server could not attribute to an API.
print(total)
EOF
)
      [[ $counted == "$sent" ]] && break
    fi
    sleep 0.5
  done
  cpu1=$(proc_cpu_seconds "$server_pid")
  if [[ $counted != "$sent" ]]; then
    fail "run $run: /v1/apis counts $counted requests, ingest_load had $sent transactions acknowledged"
    [[ -s $dir/apis.err ]] && sed 's/^/    /' "$dir/apis.err" >&2
  fi
  curl -fsS "${read_auth[@]}" "$base/metrics" >"$dir/metrics.txt" 2>"$dir/metrics.err" ||
    fail "run $run: GET /metrics failed: $(cat "$dir/metrics.err")"
  local peak_kib
  peak_kib=$(proc_peak_kib "$server_pid")

  # Graceful stop: SIGTERM, exit 0 within 30 s.
  local rc=0 stopped=0
  kill -TERM "$server_pid"
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$server_pid" 2>/dev/null; then stopped=1; break; fi
    sleep 0.1
  done
  if ((stopped)); then
    wait "$server_pid" || rc=$?
    server_pid=
    ((rc == 0)) || fail "run $run: the server exited $rc after SIGTERM"
  else
    fail "run $run: the server did not exit within 30 s of SIGTERM"
    stop_server_now
  fi

  python3 - "$dir/load.json" "$cpu0" "$cpu1" "$peak_kib" "$run" "$counted" >>"$e2e_tmp/samples" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
cpu = float(sys.argv[3]) - float(sys.argv[2])
tx = d["transactions"]
per_million = cpu / tx * 1e6 if tx else 0.0
rss_mb = int(sys.argv[4]) / 1024
print(f'{d["transactions_per_second"]:.0f} {d["latency_ms"]["p99"]:.2f} {per_million:.2f} '
      f'{rss_mb:.1f} {d["client_cpu_us_per_transaction"]:.3f}')
sys.stderr.write(
    f'run {sys.argv[5]}: {tx} transactions in {d["batches"]} batches, {d["wall_seconds"]:.1f} s: '
    f'{d["transactions_per_second"]:.0f} tx/s, {d["wire_mb_per_second"]:.1f} MB/s wire '
    f'({d["raw_mb_per_second"]:.0f} MB/s raw); batch latency p50 {d["latency_ms"]["p50"]:.1f} '
    f'p99 {d["latency_ms"]["p99"]:.1f} max {d["latency_ms"]["max"]:.1f} ms; retries '
    f'{d["retries"]}; server CPU {cpu:.2f} s ({per_million:.2f} s per million tx); peak RSS '
    f'{rss_mb:.1f} MB; inventory counted {sys.argv[6]}; client CPU '
    f'{d["client_cpu_us_per_transaction"]:.2f} us/tx'
    f'{"; POOL EXHAUSTED early" if d["pool_exhausted"] else ""}\n')
EOF
  grep -E '^gatescope_[a-z_]*(ingest|batch|transaction)[a-z_]*[{ ]' "$dir/metrics.txt" | head -12 |
    sed 's/^/    /' >&2 || true
  if [[ -n $keep ]]; then
    mkdir -p "$keep/run$run"
    cp "$dir"/{load.json,load.err,apis.json,metrics.txt,server.log} "$keep/run$run/" 2>/dev/null || true
  fi
}

echo "e2e_serve: $gatescope serve, sqlite, $connections connections, mix $mix, $batch_records" \
     "transactions per batch, ${seconds} s x $runs runs; auth: $auth_note"
: >"$e2e_tmp/samples"
for ((r = 1; r <= runs; r++)); do
  run_one "$r" || true
done

if [[ ! -s $e2e_tmp/samples ]]; then
  echo "e2e_serve: no run completed" >&2
  exit 1
fi
awk -v auth="$auth_note" '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { tps[NR] = $1; p99[NR] = $2; cpu[NR] = $3; rss[NR] = $4; client[NR] = $5 }
  END {
    tx = median(tps, NR)
    printf "median of %d runs: %.0f transactions/s  p99 batch latency %.1f ms  server CPU %.2f s per " \
           "million transactions  peak RSS %.1f MB  (load generator %.2f us CPU per transaction; " \
           "auth: %s)\n", NR, tx, median(p99, NR), median(cpu, NR), median(rss, NR),
           median(client, NR), auth
    printf "target 200,000 transactions/s: %s\n", (tx >= 200000 ? "met" : "NOT met")
  }' "$e2e_tmp/samples"
((failed == 0)) || echo "e2e_serve: some checks FAILED (see the messages above)"
exit "$failed"
