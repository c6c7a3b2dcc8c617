#!/usr/bin/env bash
# Installs every Debian package that gatescope's build, tests, benchmarks and fuzzers need.
# Idempotent: packages already present are not reinstalled, and apt is not touched at all
# when nothing is missing, so the README commands stay fast on a machine already set up.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  clang-14 libclang-rt-14-dev        # libFuzzer and sanitizer runtimes
  libgtest-dev libgmock-dev libbenchmark-dev
  libsimdjson-dev                    # access-log and container JSON parsing (On Demand)
  zlib1g-dev                         # streaming gzip (CloudWatch S3 exports, Lambda payloads)
  libcurl4-openssl-dev               # HTTP client (AWS APIs, collector delivery)
  libssl-dev                         # SHA-256 and HMAC for SigV4
  libcpp-httplib-dev                 # the server's HTTP stack; loopback fakes in tests
  libcli11-dev                       # command line
  libre2-dev                         # user-supplied filter regexes (content type, static files)
  libdeflate-dev                     # fast gzip of delivery batches
  nlohmann-json3-dev                 # JSON output (inventory, OpenAPI); not on the hot path
  libsqlite3-dev                     # the server's embedded inventory store
  libpqxx-dev postgresql             # the shared PostgreSQL store, and a real server for its tests
  python3 gzip curl
  chromium                           # the dashboard's end-to-end tests (driven by playwright-core)
  jq shellcheck python3-yaml bsdextrautils  # deploy/scripts (jq, column), their checks, templates
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# openapi-spec-validator (the reference OpenAPI 3.1 validator, used by the tests) comes with
# the machine image through pip; the registries reachable here have no package for it.
python3 -c 'import openapi_spec_validator' 2>/dev/null ||
  echo "setup: warning: python3 module openapi_spec_validator is missing; openapi_validator_test will fail" >&2
# moto_server (a local AWS endpoint) and the aws CLI come with the machine image through pip;
# the AWS client tests start moto_server on a loopback port and drive the real CLI against it.
for tool in moto_server aws cfn-lint; do
  command -v "$tool" >/dev/null 2>&1 ||
    echo "setup: warning: $tool is missing; the AWS and deployment tests will fail (pip install 'moto[server]' awscli cfn-lint)" >&2
done
# Node.js 20+ and npm (the dashboard's build: web/, packages from its lockfile) come with the
# machine image; Debian 12's own nodejs (18) is too old for Vite.
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null ||
   ! command -v npm >/dev/null 2>&1; then
  echo "setup: Node.js >= 20 with npm is needed to build the dashboard (or configure with -DGS_DASHBOARD=OFF)" >&2
fi
