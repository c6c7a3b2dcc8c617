#pragma once

#include <memory>

#include "decoders/decode_options.h"
#include "pipeline/decoder.h"

namespace gatescope::decoders {

// Decodes the JSON forms CloudWatch Logs delivers events in, one or many documents
// concatenated (or one per line):
//   - `aws logs filter-log-events` / `get-log-events` output: {"events": [{"logStreamName",
//     "timestamp", "message", "eventId"}...], "nextToken"...}, or a bare array of events;
//   - a decoded subscription payload: {"messageType", "logGroup", "logStream",
//     "logEvents": [{"id", "timestamp", "message"}]}; CONTROL_MESSAGE events are counted as
//     filtered (control_message), not emitted;
//   - a Lambda event from a subscription: {"awslogs": {"data": "<base64 gzip payload>"}}.
// Streams: each event is parsed and emitted as soon as its closing brace is read, so memory
// is bounded by the largest event, not the document. Other members are skipped.
//
// Thread-safety: not thread-safe; reusable across inputs.
class CloudWatchJsonDecoder final : public pipeline::Decoder {
 public:
  explicit CloudWatchJsonDecoder(DecodeOptions options);
  ~CloudWatchJsonDecoder() override;

  // Returns kParseError, with the byte offset, when the framing is broken (not JSON, cut
  // short); events emitted before stay emitted. An event that is JSON but has no string
  // "message" is dropped (invalid_event); an undecodable Lambda payload is dropped
  // (invalid_payload); both leave the rest of the input going on.
  Status Decode(env::ByteSource& input, const pipeline::RecordCallback& emit,
                pipeline::EventCounters& counters) override;

 private:
  struct Impl;
  DecodeOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatescope::decoders
