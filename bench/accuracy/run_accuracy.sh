#!/usr/bin/env bash
# Discovery accuracy benchmark: for each ground-truth spec (crAPI, Discourse, RealWorld) and each
# mode (REST /{proxy+}, REST with explicit resources, HTTP API $default), generates API Gateway
# logs of realistic traffic, runs `gatescope discover`, scores the OpenAPI it writes against the
# spec, and prints one table. See bench/accuracy/README.md.
#
#   bench/accuracy/run_accuracy.sh [GATESCOPE_BIN] [REQUESTS]     (defaults: build/apps/gatescope, 20000)
#
# Extra options go to runner.py after the two positionals: --details (examples of each error),
# --json FILE (every metric), --keep DIR (keep logs and outputs), --specs, --modes, --seed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/apps/gatescope}
requests=${2:-20000}
shift $(( $# > 2 ? 2 : $# ))
exec python3 "$here/runner.py" "$bin" "$requests" "$@"
