// ReadHar on arbitrary bytes (src/ingest/har_reader.h): never crashes or recurses without
// bound, lists at most 100 rejections, and every transaction it gives has an id and writes as
// a transaction line.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/har_reader.h"
#include "model/transaction_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view har(reinterpret_cast<const char*>(data), size);
  gatescope::Result<gatescope::ingest::HarReadResult> read = gatescope::ingest::ReadHar(har);
  if (!read.ok()) return 0;
  if (read->rejected.size() > 100 || read->rejected.size() > read->rejected_count) std::abort();
  for (const gatescope::model::HttpTransaction& tx : read->transactions) {
    if (tx.id.empty() || tx.event_count != 1) std::abort();
    if (gatescope::model::TransactionToJson(tx).empty()) std::abort();
  }
  return 0;
}
