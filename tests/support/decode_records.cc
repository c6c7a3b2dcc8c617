#include "tests/support/decode_records.h"

#include "env/byte_source.h"

namespace gatescope::testing {

Decoded DecodeBytes(const std::string& bytes, decoders::InputFormat forced,
                    const decoders::DecodeOptions& options) {
  Decoded out;
  Result<decoders::OpenedInput> opened =
      decoders::OpenInput(std::make_unique<env::MemoryByteSource>(bytes), forced);
  if (!opened.ok()) {
    out.status = opened.status();
    return out;
  }
  out.format = opened->format;
  out.gzipped = opened->gzipped;
  out.status = decoders::MakeDecoder(opened->format, options)
                   ->Decode(*opened->source,
                            [&](const model::RawRecord& r) {
                              out.records.push_back(OwnedRecord::From(r));
                            },
                            out.counters);
  return out;
}

}  // namespace gatescope::testing
