#!/usr/bin/env bash
# Runs every fuzz target for SECONDS on a seed corpus made from tests/fixtures. Bounded in
# time; any crash fails the run and leaves the reproducer in the working directory.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-20}
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$build/fuzz-corpus"
mkdir -p "$work"/{decoders,lines,formats,exec_lines,exec_streams}
cp "$root"/tests/fixtures/containers/* "$root"/tests/fixtures/access/*.log "$work/decoders/"
i=0
for f in "$root"/tests/fixtures/access/*.log "$root"/tests/fixtures/containers/text-export.log; do
  grep -v '^# ' "$f" | while IFS= read -r line; do
    i=$((i + 1)); printf '%s' "$line" > "$work/lines/$(basename "$f").$i"
  done
done
cp "$root"/tests/fixtures/access/custom-format.txt "$work/formats/"
for f in "$root"/tests/fixtures/execution/samples/*.log; do
  grep -v '^# ' "$f" | while IFS= read -r line; do
    i=$((i + 1)); printf '%s' "$line" > "$work/exec_lines/$(basename "$f").$i"
  done
  # A whole request per seed, each line behind a control byte (stream and time step).
  grep -v '^# ' "$f" | sed 's/^[0-9TZ:.-]* //; s/^/A/' > "$work/exec_streams/$(basename "$f")"
done
n=0
for pair in decoders_fuzz:decoders access_log_parser_fuzz:lines access_log_format_fuzz:formats \
    execution_line_fuzz:exec_lines execution_assembler_fuzz:exec_streams; do
  target=${pair%%:*}; corpus=${pair#*:}
  echo "fuzz: $target for ${seconds}s" >&2
  "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=0 "$work/$corpus" 2>"$build/$target.log" || {
    tail -40 "$build/$target.log"; echo "fuzz: $target FAILED" >&2; exit 1; }
  n=$((n + 1))
done
echo "$n passed, 0 failed"
