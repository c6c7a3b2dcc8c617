#!/usr/bin/env bash
# Runs every fuzz target for SECONDS on a seed corpus made from tests/fixtures. Bounded in
# time; any crash fails the run and leaves the reproducer in the working directory.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-20}
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$build/fuzz-corpus"
mkdir -p "$work"/{decoders,lines,formats,exec_lines,exec_streams,values,bodies,aws}
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
# Values, path segments and bodies for the classifiers and the schema sketch.
v=0
for x in 4111111111111111 DE89370400440532013000 078-05-1120 jane@example.com 2024-05-01T12:00:00Z \
    3fa85f64-5717-4562-b3fc-2c963f66afa6 AKIAIOSFODNN7EXAMPLE '+44 20 7946 0958' users v2.7 \
    jsmith87 alice.json how-to-train-your-dragon 192.168.1.1 '::1' 'https://example.com/a?b=c'; do
  v=$((v + 1)); printf '%s' "$x" > "$work/values/$v"
done
printf '%s' '{"id":1,"email":"a@b.co","tags":["x"],"n":null,"o":{"k":2.5}}' > "$work/bodies/1"
printf '%s' '[{"a":1},{"a":"x","b":true}]' > "$work/bodies/2"
printf '%s' 'a=1&b=x&b=y&c=%41+b' > "$work/bodies/3"
printf '%s' '{"user":{"name":"x","cards":[{"pan":"4111111111111111"}]},"cut":"ab' > "$work/bodies/4"
# AWS responses: XML and JSON bodies of every protocol the clients read.
cp "$root"/fuzz/seeds/aws/* "$work/aws/"
# The connector: token responses, checkpoints, Runtime API responses, configurations.
mkdir -p "$work/connector"
cp "$root"/fuzz/seeds/connector/* "$work/connector/"
# The server: transaction lines, HAR documents, clients files, tokens, queries.
mkdir -p "$work/server"
cp "$root"/fuzz/seeds/server/* "$work/server/"
# Deployment: .env files.
mkdir -p "$work/dotenv"
cp "$root"/fuzz/seeds/dotenv/* "$work/dotenv/"
n=0
for pair in decoders_fuzz:decoders access_log_parser_fuzz:lines access_log_format_fuzz:formats \
    execution_line_fuzz:exec_lines execution_assembler_fuzz:exec_streams \
    classify_value_fuzz:values classify_segment_fuzz:values schema_sketch_fuzz:bodies \
    aws_xml_fuzz:aws cloudwatch_logs_fuzz:aws \
    apigateway_fuzz:aws delivery_fuzz:connector checkpoint_fuzz:connector \
    lambda_runtime_fuzz:connector connector_config_fuzz:connector \
    inventory_codec_fuzz:server transaction_reader_fuzz:server har_reader_fuzz:server \
    auth_fuzz:server server_query_fuzz:server connector_control_fuzz:connector dotenv_fuzz:dotenv; do
  target=${pair%%:*}; corpus=${pair#*:}
  echo "fuzz: $target for ${seconds}s" >&2
  "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=0 "$work/$corpus" 2>"$build/$target.log" || {
    tail -40 "$build/$target.log"; echo "fuzz: $target FAILED" >&2; exit 1; }
  n=$((n + 1))
done
echo "$n passed, 0 failed"
