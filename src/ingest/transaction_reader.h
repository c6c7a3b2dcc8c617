#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"
#include "model/http_transaction.h"

namespace gatescope::ingest {

// Reads "gatescope.transaction/v1" JSON lines (docs/specs/transaction.md), the inverse of
// model::AppendTransactionJson: for every transaction the connector writes,
// Read(TransactionToJson(tx)) gives back the same fields (redacted values stay redacted).
// Unknown fields are ignored (a newer connector may add some); a wrong type, a missing or
// unknown "format", or invalid JSON is an error naming the field.
//
// Thread-safety: one reader per thread (it reuses a parser and buffers).
class TransactionReader {
 public:
  TransactionReader();
  ~TransactionReader();
  TransactionReader(const TransactionReader&) = delete;
  TransactionReader& operator=(const TransactionReader&) = delete;

  // Clears `*tx` and fills it from `line` (one JSON object, without its newline).
  Status Read(std::string_view line, model::HttpTransaction* tx);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatescope::ingest
