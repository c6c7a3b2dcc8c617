#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/http_transaction.h"

namespace gatescope::model {

// Writes `txs` as one HAR 1.2 document (http://www.softwareishard.com/blog/har-12-spec/), for
// tools that read HTTP archives (browsers' dev tools, API security scanners, replay tools).
//
// Each transaction is one entry, in the given order:
//  - startedDateTime: request_time_ms as ISO 8601 UTC ("1970-01-01T00:00:00.000Z" if unknown);
//    time and timings.wait: response_latency_ms, else integration_latency_ms, else 0;
//  - request.url: "https://" + host + path + ("?" + query), where host is domain_name, or
//    "<api_id>.execute-api.<region>.amazonaws.com" when no domain was logged, or "<api_id>"
//    alone (or "unknown.invalid") when the region is unknown too. On execute-api hosts the
//    stage (other than "$default") is put back in front of the path, as the client sent it;
//    on custom domains the base-path mapping is unknown and the path is written as logged;
//  - headers, queryString (the parameter map, else the raw query split on '&' and '='),
//    postData (when a request body was logged) and response.content (mimeType "" if unknown);
//    credential header values are "[REDACTED]" as in TransactionToJson;
//  - bodySize: the body's length when logged whole, else -1; headersSize: -1;
//  - "_gatescope": {id, api_id, stage, resource_path, route_key, coverage, partial,
//    partial_reason?, request_body_indicator?, response_body_indicator?} (custom fields start
//    with '_' as HAR requires).
// Invalid UTF-8 is replaced by U+FFFD. Not for the hot path: builds a DOM in memory.
std::string TransactionsToHar(const std::vector<HttpTransaction>& txs,
                              std::string_view creator_version);

}  // namespace gatescope::model
