#pragma once

#include <cstdint>
#include <string_view>

namespace gatescope::model {

// One CloudWatch log event as delivered, before parsing.
//
// A view: every member points into buffers owned by the Decoder that produced it and is valid
// only until the callback it was passed to returns. Copy what must outlive that.
struct RawRecord {
  std::string_view message;     // The event's message, unescaped, without a trailing newline.
  int64_t timestamp_ms = -1;    // CloudWatch's event timestamp (ms since epoch); -1 if unknown.
  std::string_view log_group;   // Empty when the input does not say.
  std::string_view log_stream;  // Empty when the input does not say.
  std::string_view event_id;    // CloudWatch's 56-digit event id, kept as text; may be empty.
};

}  // namespace gatescope::model
