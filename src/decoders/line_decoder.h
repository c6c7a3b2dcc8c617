#pragma once

#include "decoders/decode_options.h"
#include "pipeline/decoder.h"

namespace gatescope::decoders {

// Decodes plain text: one CloudWatch event message per line, as `aws logs ... --output text`,
// CloudWatch's S3 exports and copied console output give them. A line may start with the
// text-export timestamp, "<ISO-8601> <message>" (e.g. "2017-06-05T13:57:47.369Z (id) ..."),
// which becomes the record's timestamp. In that form a message with embedded newlines spans
// several lines: a line without the timestamp continues the event before it (the 2016
// execution-log samples' multi-line mapping-template bodies). Blank lines and lines starting
// with "# " (fixture provenance headers) outside such a message are not events and are not
// counted. A trailing "\r" is removed.
//
// Thread-safety: not thread-safe; reusable across inputs.
class LineDecoder final : public pipeline::Decoder {
 public:
  explicit LineDecoder(DecodeOptions options) : options_(std::move(options)) {}

  Status Decode(env::ByteSource& input, const pipeline::RecordCallback& emit,
                pipeline::EventCounters& counters) override;

 private:
  void OnLine(std::string_view line, const pipeline::RecordCallback& emit,
              pipeline::EventCounters& counters);
  void FlushPending(const pipeline::RecordCallback& emit);

  DecodeOptions options_;
  // The last timestamped event, held until a line shows it has no continuation.
  bool pending_ = false;
  bool pending_too_long_ = false;
  int64_t pending_timestamp_ms_ = -1;
  std::string pending_message_;
  size_t pending_blank_lines_ = 0;  // Appended only if a non-blank continuation follows.
};

}  // namespace gatescope::decoders
