#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/http_transaction.h"
#include "pipeline/event_counters.h"

namespace gatescope::ingest {

struct LogPayloadOptions {
  std::string default_log_group;  // For payloads that do not name their group (plain lines).
};

struct LogPayloadResult {
  std::vector<model::HttpTransaction> transactions;
  pipeline::EventCounters counters;  // received = accepted + filtered + dropped, by reason.
  // Events of transactions the connector's transform filtered out (content type, static file).
  // They were parsed, so counters.accepted() includes them; `transactions` does not.
  // pipeline::DropReason has no reason for them yet.
  uint64_t transform_filtered = 0;
};

// Reads raw CloudWatch Logs payloads the way `gatescope discover` reads its inputs (format
// detected: a subscription/Lambda event, FilterLogEvents or GetLogEvents output, an S3 export,
// plain access-log lines; gzip detected), parses access logs and reassembles execution logs,
// joins them, then runs the connector's transform (credential redaction, indicator bodies,
// stable ids), so a payload posted twice gives the same transaction ids. A payload that cannot
// be decoded at all is an error; bad lines are counted as drops and the rest is kept.
Result<LogPayloadResult> ReadLogPayload(std::string_view payload, const LogPayloadOptions& options);

}  // namespace gatescope::ingest
