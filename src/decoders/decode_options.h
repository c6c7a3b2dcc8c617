#pragma once

#include <cstddef>
#include <string>

namespace gatescope::decoders {

// Options shared by every decoder.
struct DecodeOptions {
  // Log group given to records whose input does not name one (plain text, CLI output).
  std::string default_log_group;
  // Longest text line accepted. CloudWatch events are at most 1 MiB; the rest is headroom
  // for the text-export timestamp. Longer lines are dropped as line_too_long.
  size_t max_line_bytes = (size_t{1} << 20) + 256;
  // Largest decompressed Lambda event payload accepted (guards against gzip bombs). Lambda
  // events are at most 6 MB compressed, CloudWatch payloads about 1 MB decompressed.
  size_t max_payload_bytes = size_t{64} << 20;
};

}  // namespace gatescope::decoders
