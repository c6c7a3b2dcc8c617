#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "inventory/traffic_series.h"

namespace gatescope::server {

// Dense per-bucket sums over a fixed window of hours or days, for charts: gaps are zeros.
class TrafficWindow {
 public:
  // `count` buckets of `width_ms`, the last one holding `end_ms`.
  TrafficWindow(int64_t end_ms, int64_t width_ms, size_t count);

  // Adds the buckets (of this window's width) that fall inside it.
  void Add(const std::vector<inventory::TrafficSeries::Bucket>& buckets);

  // {"start": ISO, "step_ms": n, "requests": [...], "client_errors": [...],
  //  "server_errors": [...]} and, with `latency`, "latency_mean_ms" and "latency_max_ms"
  // (null where no request logged one).
  nlohmann::ordered_json ToJson(bool latency) const;

 private:
  int64_t first_index_;
  int64_t width_ms_;
  std::vector<inventory::TrafficSeries::Bucket> sums_;
};

// The hourly and daily windows of one endpoint's series, ending with its newest bucket:
// {"hourly": {...}, "daily": {...}} with latency; null when it has none.
nlohmann::ordered_json EndpointTrafficJson(const inventory::TrafficSeries& series);

}  // namespace gatescope::server
