#!/usr/bin/env bash
# Builds gatescope and runs `gatescope discover` on the bundled sample access logs (every
# format and container in tests/fixtures), writing the inventory and OpenAPI 3.1 to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target gatescope
mkdir -p out
./build/apps/gatescope discover \
  --access-log-format tests/fixtures/access/custom-format.txt \
  --inventory out/inventory.json --openapi out/openapi.json \
  tests/fixtures/access/*.log tests/fixtures/containers/*.json tests/fixtures/containers/*.gz
./build/apps/gatescope discover tests/fixtures/access/*.log tests/fixtures/containers/*.json
echo "Wrote out/inventory.json and out/openapi.json." >&2
