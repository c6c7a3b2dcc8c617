// Feeds arbitrary bytes to the two parsers of durable connector state: ParseCheckpoint (pull
// checkpoints) and ParseSpillRecord (spilled batches), as a corrupted file or object would.
// Whatever parses must serialise back to something that parses to the same thing.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "delivery/spill_store.h"
#include "sources/checkpoint.h"

using namespace gatescope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  Result<sources::Checkpoint> cp = sources::ParseCheckpoint(text);
  if (cp.ok()) {
    if (cp->log_group.empty() || cp->end_ms < -1) std::abort();
    if (cp->entries().size() != cp->seen_size()) std::abort();
    std::string once = sources::SerializeCheckpoint(*cp);
    Result<sources::Checkpoint> again = sources::ParseCheckpoint(once);
    if (!again.ok()) std::abort();
    if (again->end_ms != cp->end_ms || again->seen_size() != cp->seen_size()) std::abort();
    if (sources::SerializeCheckpoint(*again) != once) std::abort();
    cp->Prune(cp->end_ms);
    if (cp->entries().size() != cp->seen_size()) std::abort();
  }

  Result<delivery::SpilledBatch> spilled = delivery::ParseSpillRecord(text);
  if (spilled.ok()) {
    if (!delivery::ValidateSpillKey(spilled->key).ok()) std::abort();
    std::string once = delivery::SerializeSpillRecord(*spilled);
    Result<delivery::SpilledBatch> again = delivery::ParseSpillRecord(once);
    if (!again.ok()) std::abort();
    if (again->batch.body != spilled->batch.body || again->key != spilled->key ||
        again->batch.events != spilled->batch.events) {
      std::abort();
    }
  }
  return 0;
}
