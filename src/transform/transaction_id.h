#pragma once

#include <string>

#include "model/http_transaction.h"

namespace gatescope::transform {

// A transaction's stable id: 32 lowercase hex digits, the first 16 bytes of SHA-256 over
// log_group, log_stream, event_id and request_id, each preceded by its length as 8 bytes
// big-endian so that fields cannot run into each other. The same events always give the same
// id, on any host and in any run, so a collector can drop a replayed transaction.
// Thread-safe.
std::string TransactionId(const model::HttpTransaction& tx);

}  // namespace gatescope::transform
