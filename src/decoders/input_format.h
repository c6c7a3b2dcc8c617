#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "decoders/decode_options.h"
#include "env/byte_source.h"
#include "pipeline/decoder.h"

namespace gatescope::decoders {

// The framing of one input. Compression is orthogonal: gzip is detected by its magic bytes.
enum class InputFormat {
  kAuto,            // Decide from the first bytes (after gunzipping).
  kText,            // One event message per line (LineDecoder).
  kCloudWatchJson,  // CLI output, subscription payloads, Lambda events (CloudWatchJsonDecoder).
};

// Accepts "auto", "text", "json", and for clarity the JSON forms' own names:
// "filter-log-events", "get-log-events", "subscription", "lambda-event" (all kCloudWatchJson).
Result<InputFormat> ParseInputFormat(std::string_view name);
std::string_view InputFormatName(InputFormat format);

// Decides the framing from an input's first bytes (already gunzipped): a top-level array, or
// an object whose first member is one CloudWatch's JSON forms use ("events", "logEvents",
// "awslogs", "messageType", ...), is kCloudWatchJson; anything else, including JSON access-log
// lines such as {"requestId": ...}, is kText.
InputFormat DetectFormat(std::string_view prefix);

// An input ready to decode: decompressed if it was gzipped, with its framing decided.
struct OpenedInput {
  std::unique_ptr<env::ByteSource> source;
  InputFormat format = InputFormat::kText;
  bool gzipped = false;
};

// Wraps `raw` with gunzip when it starts with the gzip magic, and detects its format unless
// `forced` names one. A UTF-8 byte-order mark is removed. Returns the error of the first
// reads (I/O, corrupt gzip header) if any.
Result<OpenedInput> OpenInput(std::unique_ptr<env::ByteSource> raw, InputFormat forced);

// The decoder for `format` (REQUIRES: not kAuto).
std::unique_ptr<pipeline::Decoder> MakeDecoder(InputFormat format, const DecodeOptions& options);

}  // namespace gatescope::decoders
