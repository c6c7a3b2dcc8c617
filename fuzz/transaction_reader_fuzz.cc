// TransactionReader::Read on arbitrary bytes (src/ingest/transaction_reader.h): never crashes,
// and a line it accepts writes back (TransactionToJson) to a line it accepts again, giving the
// same JSON: reading is the inverse of writing on everything the reader lets through.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ingest/transaction_reader.h"
#include "model/http_transaction.h"
#include "model/transaction_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One reader and transaction for the whole run, as the server reuses them: a field left
  // over from an earlier input would show up as a round-trip difference.
  static gatescope::ingest::TransactionReader reader;
  static gatescope::model::HttpTransaction tx;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  if (!reader.Read(line, &tx).ok()) return 0;
  std::string first = gatescope::model::TransactionToJson(tx);
  gatescope::Status again = reader.Read(first, &tx);
  if (!again.ok()) std::abort();
  if (gatescope::model::TransactionToJson(tx) != first) std::abort();
  return 0;
}
