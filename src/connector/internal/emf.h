#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>
#include <utility>

namespace gatescope::connector::internal {

// One metric of an embedded-metric-format line: its field name and CloudWatch unit.
using EmfMetric = std::pair<const char*, const char*>;

// The common head of the connector's summary lines in CloudWatch embedded metric format
// (namespace gatescope/connector, dimensions function and mode): CloudWatch extracts `metrics`
// from the fields of the same names, which the caller adds to the returned object.
inline nlohmann::json EmfSummary(int64_t now_ms, std::span<const EmfMetric> metrics,
                                 std::string_view message, std::string_view function_name,
                                 std::string_view mode) {
  using nlohmann::json;
  json list = json::array();
  for (const auto& [name, unit] : metrics) list.push_back({{"Name", name}, {"Unit", unit}});
  json j;
  j["_aws"] = {{"Timestamp", now_ms},
               {"CloudWatchMetrics",
                json::array({{{"Namespace", "gatescope/connector"},
                              {"Dimensions", json::array({json::array({"function", "mode"})})},
                              {"Metrics", std::move(list)}}})}};
  j["message"] = message;
  j["function"] = function_name;
  j["mode"] = mode;
  return j;
}

}  // namespace gatescope::connector::internal
