#pragma once

#include "decoders/decode_options.h"
#include "pipeline/decoder.h"

namespace gatescope::decoders {

// Decodes plain text: one CloudWatch event message per line, as `aws logs ... --output text`,
// CloudWatch's S3 exports and copied console output give them. A line may start with the
// text-export timestamp, "<ISO-8601> <message>" (e.g. "2017-06-05T13:57:47.369Z (id) ..."),
// which becomes the record's timestamp. Blank lines and lines starting with "# " (fixture
// provenance headers) are not events and are not counted. A trailing "\r" is removed.
//
// Thread-safety: not thread-safe; reusable across inputs.
class LineDecoder final : public pipeline::Decoder {
 public:
  explicit LineDecoder(DecodeOptions options) : options_(std::move(options)) {}

  Status Decode(env::ByteSource& input, const pipeline::RecordCallback& emit,
                pipeline::EventCounters& counters) override;

 private:
  void EmitLine(std::string_view line, const pipeline::RecordCallback& emit,
                pipeline::EventCounters& counters);

  DecodeOptions options_;
};

}  // namespace gatescope::decoders
