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
// Every transaction gets an id: the "_gatescope" id, else the SHA-256 (32 raw bytes, hex
// encoded as the connector's ids are) of the entry's canonical JSON text, so that uploading
// the same file twice adds nothing. A document that is not JSON or has no log.entries array
// is an error; an unusable entry is rejected with a reason and the others are kept.
Result<HarReadResult> ReadHar(std::string_view har);

}  // namespace gatescope::ingest
