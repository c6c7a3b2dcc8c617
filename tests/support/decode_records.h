#pragma once

#include <string>
#include <vector>

#include "decoders/decode_options.h"
#include "decoders/input_format.h"
#include "pipeline/event_counters.h"
#include "tests/support/test_util.h"

namespace gatescope::testing {

// What decoding one input gave: its records (owned), counters and outcome.
struct Decoded {
  std::vector<OwnedRecord> records;
  pipeline::EventCounters counters;
  Status status;
  decoders::InputFormat format = decoders::InputFormat::kAuto;
  bool gzipped = false;
};

// Decodes `bytes` the way `gatescope discover` does: gzip and format detection, then decode.
Decoded DecodeBytes(const std::string& bytes,
                    decoders::InputFormat forced = decoders::InputFormat::kAuto,
                    const decoders::DecodeOptions& options = {});

}  // namespace gatescope::testing
