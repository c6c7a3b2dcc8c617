#!/usr/bin/env bash
# Memory and throughput of the API inventory at two traffic volumes over the same endpoints:
# checks "at most 256 MB resident for 10 million transactions over 10,000 endpoints" and that
# memory is bounded by endpoints (the peak-RSS ratio big/small should be close to 1).
#
#   bench/e2e_inventory.sh [BUILD_DIR=build] [TRANSACTIONS=10000000] [ENDPOINTS=10000] [RUNS=3]
#                          [-- extra --memory flags, e.g. --mix 40,40,20 --no-bodies]
#
# Runs `inventory_bench --memory N ENDPOINTS` RUNS times at N = TRANSACTIONS/10 and at
# N = TRANSACTIONS (each run its own process, so each peak is its own), and prints per size the
# medians of peak RSS (VmHWM), RSS after adding, heap in use after adding, RSS after
# rendering, Add() transactions per CPU second and per wall second, and Render() time; then the
# ratio of median peak RSS big/small and whether the 256 MB target holds. Not a CLI run: the
# transactions are generated in memory (see bench/inventory_bench.cc for their mix), so this
# measures the inventory alone, without parsing. Set E2E_INVENTORY_KEEP=DIR to keep each run's
# JSON (DIR/N.RUN.json: RSS every tenth of the run, endpoints by template source...).
set -euo pipefail

build_dir=${1:-build}
transactions=${2:-10000000}
endpoints=${3:-10000}
runs=${4:-3}
shift $(($# < 4 ? $# : 4))
[[ ${1:-} == -- ]] && shift
extra=("$@")
bench=$build_dir/bench/inventory_bench
small=$((transactions / 10))
target_mb=256

if ! [[ $transactions =~ ^[0-9]+$ && $endpoints =~ ^[0-9]+$ && $runs =~ ^[0-9]+$ &&
        $small -gt 0 && $endpoints -gt 0 && $runs -gt 0 ]]; then
  echo "usage: $0 [BUILD_DIR] [TRANSACTIONS>=10] [ENDPOINTS>=1] [RUNS>=1] [-- FLAGS]" >&2
  exit 2
fi
if [[ ! -x $bench ]]; then
  echo "e2e_inventory: $bench not found; build target inventory_bench (GS_BUILD_BENCH=ON)" >&2
  exit 1
fi

if [[ -n ${E2E_INVENTORY_KEEP:-} ]]; then
  tmp=$E2E_INVENTORY_KEEP
  mkdir -p "$tmp"
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
fi

for n in "$small" "$transactions"; do
  for ((i = 1; i <= runs; i++)); do
    "$bench" --memory "$n" "$endpoints" "${extra[@]}" >"$tmp/$n.$i.json"
  done
done

python3 - "$tmp" "$small" "$transactions" "$runs" "$target_mb" <<'EOF'
import json, statistics, sys
tmp, small, big, runs, target = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
med = {}
for n in (small, big):
    rs = [json.load(open(f"{tmp}/{n}.{i}.json")) for i in range(1, runs + 1)]
    m = {k: statistics.median(r[k] for r in rs) for k in (
        "peak_rss_mb", "rss_after_add_mb", "heap_in_use_after_add_mb", "rss_after_render_mb",
        "transactions_per_cpu_s_add", "transactions_per_s_add", "render_ms", "render_cpu_ms")}
    m["endpoints_rendered"] = rs[0]["endpoints_rendered"]
    med[n] = m
    print(f"{n:>10} tx over {rs[0]['endpoint_universe']} endpoints ({m['endpoints_rendered']} rendered): "
          f"peak RSS {m['peak_rss_mb']:.1f} MB, after add {m['rss_after_add_mb']:.1f} MB "
          f"(heap {m['heap_in_use_after_add_mb']:.1f} MB), after render {m['rss_after_render_mb']:.1f} MB; "
          f"Add {m['transactions_per_cpu_s_add']/1e3:.0f}k tx/CPU-s ({m['transactions_per_s_add']/1e3:.0f}k tx/wall-s); "
          f"Render {m['render_cpu_ms']:.0f} ms CPU ({m['render_ms']:.0f} ms wall)  [medians of {runs}]")
ratio = med[big]["peak_rss_mb"] / med[small]["peak_rss_mb"]
heap_ratio = med[big]["heap_in_use_after_add_mb"] / med[small]["heap_in_use_after_add_mb"]
ok = med[big]["peak_rss_mb"] <= target
print(f"peak RSS ratio {big}/{small}: {ratio:.2f} (heap after add: {heap_ratio:.2f}); "
      f"target <= {target:.0f} MB at {big}: {'met' if ok else 'MISSED'}")
sys.exit(0 if ok else 1)
EOF
