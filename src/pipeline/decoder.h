#pragma once

#include <functional>

#include "core/status.h"
#include "env/byte_source.h"
#include "model/raw_record.h"
#include "pipeline/event_counters.h"

namespace gatescope::pipeline {

// Called once per decoded record. The record's views are valid only during the call.
using RecordCallback = std::function<void(const model::RawRecord&)>;

// Unwraps one input's framing and envelopes into RawRecords.
//
// Thread-safety: not thread-safe; one Decode() at a time per instance. Reusable across inputs.
class Decoder {
 public:
  virtual ~Decoder() = default;

  // Reads `input` to its end, calling `emit` for every record. Every record is counted as
  // received in `counters`; those the decoder itself cannot use are counted as drops there
  // and not emitted. Returns kParseError or kUnavailable when the input cannot be read any
  // further (I/O error, truncated gzip, broken JSON framing); records emitted before stay
  // emitted and counted.
  virtual Status Decode(env::ByteSource& input, const RecordCallback& emit,
                        EventCounters& counters) = 0;
};

}  // namespace gatescope::pipeline
