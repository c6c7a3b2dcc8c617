// Feeds arbitrary bytes through format detection, gunzip and both decoders, as
// `gatescope discover` reads a file. Checks the counters invariant on every input.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "decoders/input_format.h"

using namespace gatescope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  for (decoders::InputFormat format :
       {decoders::InputFormat::kAuto, decoders::InputFormat::kCloudWatchJson}) {
    auto opened = decoders::OpenInput(std::make_unique<env::MemoryByteSource>(bytes), format);
    if (!opened.ok()) continue;
    decoders::DecodeOptions options{.max_line_bytes = 4096, .max_payload_bytes = 1 << 20};
    auto decoder = decoders::MakeDecoder(opened->format, options);
    pipeline::EventCounters counters;
    uint64_t emitted = 0;
    (void)decoder->Decode(*opened->source, [&](const model::RawRecord&) { ++emitted; }, counters);
    if (counters.received() != emitted + counters.dropped() + counters.filtered()) std::abort();
  }
  return 0;
}
