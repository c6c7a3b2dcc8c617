#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/http_transaction.h"

namespace gatescope::ingest {

// One HAR entry that could not be used, and why.
struct HarRejection {
  size_t entry = 0;    // Index in log.entries.
  std::string reason;  // "missing request.url", ...
};

struct HarReadResult {
  std::vector<model::HttpTransaction> transactions;
  std::vector<HarRejection> rejected;  // At most 100 listed; `rejected_count` counts all.
  uint64_t rejected_count = 0;
};

// Reads a HAR 1.2 document (browsers' dev tools, proxies, model::TransactionsToHar) into
// transactions: method, URL (host -> domain_name; an execute-api host gives api_id, region and,
// with the first path segment, the stage), headers, query, cookies, bodies (postData.text,
// response.content.text, base64 decoded when encoding says so), status, timings, and our
// "_gatescope" extension when present (id, api_id, stage, resource_path, route_key...).
// Every transaction gets an id: the "_gatescope" id, else 32 hex digits (the first 16 bytes,
// as the connector's ids are) of the SHA-256 of the entry's canonical JSON text (keys sorted,
// no spaces), so that uploading the same file twice, even reformatted, adds nothing.
// Every transaction is access-log-like (source kAccessLog, event_count 1, no template unless
// "_gatescope" gives one, so the inventory infers it), with coverage kFull when its bodies
// were recorded whole. Bounds: 256 MiB of text, nesting depth 64, 1,000,000 entries
// (errors), 1000 fields per list (cut, marked truncated). A document that is not JSON or has no log.entries array
// is an error; an unusable entry is rejected with a reason and the others are kept.
Result<HarReadResult> ReadHar(std::string_view har);

}  // namespace gatescope::ingest
