#pragma once

#include <cstdint>
#include <string>

namespace gatescope::delivery {

// One batch of transactions as it goes on the wire to the collector (format
// "gatescope.batch/v1", docs/specs/wire.md): NDJSON, one transaction JSON object per line
// (model::TransactionToJson), every line ending in '\n', gzip-compressed (one gzip member) unless
// gzip is off.
//
// Thread-safety: a value type.
struct Batch {
  std::string body;  // The bytes POSTed: gzip of NDJSON (or the NDJSON when gzip is off).
  bool gzip = true;
  uint32_t records = 0;    // Transactions in the batch.
  uint64_t events = 0;     // Log events inside: the sum of the transactions' event_count.
  uint64_t raw_bytes = 0;  // NDJSON bytes before compression.
  uint32_t shrunk = 0;     // Transactions shrunk to fit the size cap.
  // 64 hex digits: SHA-256 of the transactions' ids, in order, each followed by '\n'. A
  // transaction without an id (HttpTransaction::id empty) contributes the 64-hex SHA-256 of its
  // JSON line instead. The same transactions in the same order always give the same key, so the
  // collector can recognise a retried or replayed batch.
  std::string idempotency_key;
};

}  // namespace gatescope::delivery
