#!/usr/bin/env bash
# Builds gatescope and runs `gatescope discover` on the bundled sample logs (every access-log
# format and container in tests/fixtures, and the real REST execution-log samples), writing
# the inventory, OpenAPI 3.1 and the rebuilt transactions to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target gatescope
mkdir -p out
./build/apps/gatescope discover \
  --access-log-format tests/fixtures/access/custom-format.txt \
  --inventory out/inventory.json --openapi out/openapi.json \
  --transactions out/transactions.ndjson \
  tests/fixtures/access/*.log tests/fixtures/containers/*.json tests/fixtures/containers/*.gz \
  tests/fixtures/execution/samples/exec-rest-lambda-proxy-success-200.payload.json \
  tests/fixtures/execution/samples/exec-rest-2017-lambda-proxy-token-authorizer-success.log
./build/apps/gatescope discover tests/fixtures/access/*.log tests/fixtures/containers/*.json
echo "Wrote out/inventory.json, out/openapi.json and out/transactions.ndjson." >&2
