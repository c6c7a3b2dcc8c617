#include "server/traffic_window.h"

#include <algorithm>

#include "core/time_format.h"

namespace gatescope::server {

using Json = nlohmann::ordered_json;
using inventory::TrafficSeries;

namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

TrafficWindow::TrafficWindow(int64_t end_ms, int64_t width_ms, size_t count)
    : first_index_(FloorDiv(end_ms, width_ms) - static_cast<int64_t>(count) + 1),
      width_ms_(width_ms),
      sums_(count) {}

void TrafficWindow::Add(const std::vector<TrafficSeries::Bucket>& buckets) {
  for (const TrafficSeries::Bucket& b : buckets) {
    int64_t slot = b.index - first_index_;
    if (slot >= 0 && slot < static_cast<int64_t>(sums_.size())) {
      sums_[static_cast<size_t>(slot)].Merge(b);
    }
  }
}

Json TrafficWindow::ToJson(bool latency) const {
  Json requests = Json::array(), client = Json::array(), server = Json::array();
  Json mean = Json::array(), max = Json::array();
  for (const TrafficSeries::Bucket& b : sums_) {
    requests.push_back(b.requests);
    client.push_back(b.client_errors);
    server.push_back(b.server_errors);
    if (!latency) continue;
    if (b.latency_count == 0) {
      mean.push_back(nullptr);
      max.push_back(nullptr);
    } else {
      // Whole milliseconds are what the gateway logs; a tenth is enough for a chart.
      mean.push_back(static_cast<double>(b.latency_sum_ms * 10 / b.latency_count) / 10.0);
      max.push_back(b.latency_max_ms);
    }
  }
  Json out;
  out["start"] = FormatIso8601(first_index_ * width_ms_);
  out["step_ms"] = width_ms_;
  out["requests"] = std::move(requests);
  out["client_errors"] = std::move(client);
  out["server_errors"] = std::move(server);
  if (latency) {
    out["latency_mean_ms"] = std::move(mean);
    out["latency_max_ms"] = std::move(max);
  }
  return out;
}

Json EndpointTrafficJson(const TrafficSeries& series) {
  if (series.empty()) return nullptr;
  TrafficWindow hourly(series.hours().back().index * TrafficSeries::kHourMs, TrafficSeries::kHourMs,
                       TrafficSeries::kHours);
  hourly.Add(series.hours());
  TrafficWindow daily(series.days().back().index * TrafficSeries::kDayMs, TrafficSeries::kDayMs,
                      TrafficSeries::kDays);
  daily.Add(series.days());
  return Json{{"hourly", hourly.ToJson(true)}, {"daily", daily.ToJson(true)}};
}

}  // namespace gatescope::server
