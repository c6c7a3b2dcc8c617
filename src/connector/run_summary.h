#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "pipeline/event_counters.h"
#include "transform/transaction_transformer.h"

namespace gatescope::connector {

// What one connector run did, in log events and in batches. The events add up:
//   received = delivered + spilled + failed + filtered + dropped
// where filtered counts the pipeline's intentional drops (CONTROL_MESSAGE, duplicate events)
// and the transform's filters (content type, static files), dropped the unparseable, and
// failed the events of batches that could neither be delivered nor spilled: the run then
// fails, so its caller retries them (Lambda re-invokes; the pull checkpoint does not move).
struct RunSummary {
  std::string mode;  // "push", "pull", "file" or "replay".
  pipeline::EventCounters events;  // received, parsed (accepted), decode/parse/assemble drops.
  std::array<uint64_t, transform::kFilterReasonCount> transform_filtered{};
  uint64_t events_delivered = 0;
  uint64_t events_spilled = 0;
  uint64_t events_failed = 0;

  uint64_t log_groups = 0;
  uint64_t log_streams = 0;
  uint64_t pull_api_calls = 0;
  uint64_t transactions = 0;  // Built (before the transform's filters).
  uint64_t transactions_partial = 0;
  uint64_t transactions_joined = 0;
  uint64_t bodies_replaced = 0;
  uint64_t headers_redacted = 0;

  uint64_t batches_delivered = 0;
  uint64_t batches_spilled = 0;
  uint64_t batches_failed = 0;
  uint64_t batches_shrunk_records = 0;
  uint64_t bytes_raw = 0;   // NDJSON before compression, every batch.
  uint64_t bytes_wire = 0;  // On the wire.
  uint64_t batch_wire_max = 0;
  std::map<std::string, uint64_t> spill_reasons;  // Batches by reason.

  uint64_t send_attempts = 0;
  uint64_t send_retries = 0;
  uint64_t token_fetches = 0;
  double send_latency_ms_sum = 0;
  double send_latency_ms_max = 0;
  uint64_t sends = 0;
  int64_t processing_ms = 0;
  int64_t lag_ms = -1;  // Pull: now - the newest window end read.
  std::string error;    // Why the run failed, when it did.

  uint64_t filtered() const;  // Pipeline and transform filters.
  // True when every event received is accounted for.
  bool AddsUp() const;
};

// One line of JSON in CloudWatch embedded metric format (namespace "gatescope/connector"),
// so the counts are metrics without a PutMetricData call, and a log line a human can read.
// `function_name` is the Lambda function or "ship". No secret, token or body is in it.
std::string RunSummaryToEmf(const RunSummary& s, std::string_view function_name, int64_t now_ms);

}  // namespace gatescope::connector
