#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds (Ninja, ccache when present) with
# warnings as errors, runs every CTest test, then runs each libFuzzer target for a bounded
# time on its seed corpus. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

build=${GS_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGS_WERROR=ON \
  -DGS_BUILD_TESTS=ON -DGS_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j "$(nproc)"
(cd "$build" && ctest --output-on-failure -j "$(nproc)")

# Fuzzers need clang's libFuzzer: a separate build directory with ASan and UBSan.
fuzz_build=${GS_FUZZ_BUILD_DIR:-build-fuzz}
CC=clang-14 CXX=clang++-14 cmake -S . -B "$fuzz_build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGS_BUILD_TESTS=OFF -DGS_BUILD_BENCH=OFF -DGS_BUILD_FUZZ=ON -DGS_DASHBOARD=OFF >/dev/null
cmake --build "$fuzz_build" -j "$(nproc)" --target gatescope_fuzzers
bash fuzz/run_fuzzers.sh "$fuzz_build" "${GS_FUZZ_SECONDS:-20}"
