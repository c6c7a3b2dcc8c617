#include "connector/run_summary.h"

#include <nlohmann/json.hpp>

#include "connector/internal/emf.h"

namespace gatescope::connector {

uint64_t RunSummary::filtered() const {
  uint64_t n = events.filtered();
  for (uint64_t f : transform_filtered) n += f;
  return n;
}

bool RunSummary::AddsUp() const {
  return events.received() ==
         events_delivered + events_spilled + events_failed + filtered() + events.dropped();
}

std::string RunSummaryToEmf(const RunSummary& s, std::string_view function_name, int64_t now_ms) {
  using nlohmann::json;
  // Metrics CloudWatch extracts from the line (EMF specification: _aws.CloudWatchMetrics).
  static const internal::EmfMetric kMetrics[] = {
      {"events_received", "Count"},   {"events_delivered", "Count"}, {"events_spilled", "Count"},
      {"events_failed", "Count"},     {"events_filtered", "Count"},  {"events_dropped", "Count"},
      {"transactions", "Count"},      {"batches_delivered", "Count"},
      {"batches_spilled", "Count"},   {"bytes_wire", "Bytes"},       {"send_retries", "Count"},
      {"token_fetches", "Count"},     {"processing_ms", "Milliseconds"},
      {"lag_ms", "Milliseconds"}};
  json j = internal::EmfSummary(now_ms, kMetrics, "Run summary.", function_name, s.mode);
  j["log_groups"] = s.log_groups;
  j["log_streams"] = s.log_streams;
  j["pull_api_calls"] = s.pull_api_calls;
  j["events_received"] = s.events.received();
  j["events_parsed"] = s.events.accepted();
  j["events_delivered"] = s.events_delivered;
  j["events_spilled"] = s.events_spilled;
  j["events_failed"] = s.events_failed;
  j["events_filtered"] = s.filtered();
  j["events_dropped"] = s.events.dropped();
  json dropped = json::object();
  json filtered = json::object();
  for (size_t i = 0; i < pipeline::kDropReasonCount; ++i) {
    auto reason = static_cast<pipeline::DropReason>(i);
    if (s.events.drops(reason) == 0) continue;
    (pipeline::IsIntentional(reason) ? filtered : dropped)[std::string(
        pipeline::DropReasonName(reason))] = s.events.drops(reason);
  }
  for (size_t i = 0; i < transform::kFilterReasonCount; ++i) {
    if (s.transform_filtered[i] == 0) continue;
    filtered[std::string(transform::FilterReasonName(static_cast<transform::FilterReason>(i)))] =
        s.transform_filtered[i];
  }
  j["dropped_by_reason"] = dropped;
  j["filtered_by_reason"] = filtered;
  j["transactions"] = s.transactions;
  j["transactions_partial"] = s.transactions_partial;
  j["transactions_joined"] = s.transactions_joined;
  j["bodies_replaced"] = s.bodies_replaced;
  j["headers_redacted"] = s.headers_redacted;
  j["batches_delivered"] = s.batches_delivered;
  j["batches_spilled"] = s.batches_spilled;
  j["batches_failed"] = s.batches_failed;
  j["records_shrunk"] = s.batches_shrunk_records;
  j["bytes_raw"] = s.bytes_raw;
  j["bytes_wire"] = s.bytes_wire;
  j["batch_wire_max"] = s.batch_wire_max;
  j["spill_reasons"] = s.spill_reasons;
  j["send_attempts"] = s.send_attempts;
  j["send_retries"] = s.send_retries;
  j["token_fetches"] = s.token_fetches;
  j["send_latency_ms_avg"] = s.sends == 0 ? 0.0 : s.send_latency_ms_sum / s.sends;
  j["send_latency_ms_max"] = s.send_latency_ms_max;
  j["processing_ms"] = s.processing_ms;
  if (s.lag_ms >= 0) j["lag_ms"] = s.lag_ms;
  j["counters_add_up"] = s.AddsUp();
  if (!s.error.empty()) j["error"] = s.error;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace gatescope::connector
