#!/usr/bin/env bash
# Builds gatescope and runs `gatescope discover` on the bundled sample logs (every access-log
# format and container in tests/fixtures, and the real REST execution-log samples), writing
# the inventory, OpenAPI 3.1 and the rebuilt transactions to out/. Then ships the samples
# through the connector into `gatescope serve` and reads them back. With --serve, the server
# keeps running afterwards (Ctrl-C stops it): open the printed URL for the dashboard.
set -euo pipefail
keep_serving=0
[ "${1:-}" = "--serve" ] && keep_serving=1
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

# The same samples through the connector into the inventory server (embedded SQLite), then
# read back over its API with a read-only token.
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
gs=./build/apps/gatescope
$gs auth add-client --id sample-connector --scope inventory:ingest >"$work/ingest.json" 2>/dev/null
$gs auth add-client --id sample-reader --scope inventory:read >"$work/read.json" 2>/dev/null
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
clients = [json.load(open(f"{w}/{n}.json"))["client"] for n in ("ingest", "read")]
json.dump({"clients": clients}, open(f"{w}/clients.json", "w"))
PY
secret() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_secret"])' "$1"; }
$gs serve --listen 127.0.0.1:0 --port-file "$work/port" --store "sqlite:out/inventory.db" \
  --clients "$work/clients.json" --render-interval-ms 0 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
url="http://127.0.0.1:$port"
GATESCOPE_COLLECTOR_URL="$url/v1/batches" GATESCOPE_OAUTH_TOKEN_URL="$url/oauth2/token" \
GATESCOPE_OAUTH_CLIENT_ID=sample-connector GATESCOPE_OAUTH_CLIENT_SECRET="$(secret "$work/ingest.json")" \
  $gs ship --input tests/fixtures/containers/subscription.json \
           --input tests/fixtures/access/rich-rest-json.log >/dev/null
token=$(curl -sf -u "sample-reader:$(secret "$work/read.json")" -d grant_type=client_credentials \
  "$url/oauth2/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
curl -sf -H "Authorization: Bearer $token" "$url/v1/apis" >out/server-apis.json
curl -sf -H "Authorization: Bearer $token" "$url/v1/endpoints" >out/server-endpoints.json
curl -sf "$url/" | grep -q '<div id="app">' || { echo "the dashboard is not served at $url/" >&2; exit 1; }
if [ "$keep_serving" = 1 ]; then
  echo "Dashboard: $url/  (log in with client id sample-reader, secret $(secret "$work/read.json")). Ctrl-C stops it." >&2
  wait "$server_pid" || true
  server_pid=""
  exit 0
fi
kill -TERM "$server_pid"; wait "$server_pid"; server_pid=""
echo "gatescope serve (SQLite out/inventory.db) took the samples from the connector: out/server-apis.json, out/server-endpoints.json." >&2
