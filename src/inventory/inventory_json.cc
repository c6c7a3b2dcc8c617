#include "inventory/inventory_json.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace gatescope::inventory {
namespace {

using Json = nlohmann::ordered_json;

Json Time(int64_t ms) { return ms < 0 ? Json(nullptr) : Json(FormatIso8601(ms)); }

Json Latency(const LatencyHistogram& h) {
  if (h.count() == 0) return nullptr;
  return Json{{"count", h.count()},
              {"p50", h.Percentile(0.50)},
              {"p95", h.Percentile(0.95)},
              {"max", h.max()}};
}

}  // namespace

std::string InventoryToJson(const Inventory& inventory, const RunInfo& run) {
  Json doc;
  doc["format"] = "gatescope.inventory/v1";
  doc["generated_at"] = FormatIso8601(run.generated_at_ms);
  Json summary = Json::object();
  for (const auto& [name, value] : run.counters) summary[name] = value;
  Json drops = Json::object();
  for (const auto& [name, value] : run.drops) drops[name] = value;
  summary["dropped_by_reason"] = std::move(drops);
  doc["summary"] = std::move(summary);

  Json apis = Json::array();
  std::vector<Inventory::Endpoint> endpoints = inventory.SortedEndpoints();
  auto next = endpoints.begin();
  for (const auto& [id, info] : inventory.api_stages()) {
    Json api;
    api["api_id"] = id.first;
    api["stage"] = id.second.empty() ? Json(nullptr) : Json(id.second);
    api["kind"] = model::ApiKindName(info.kind);
    api["region"] = info.region.empty() ? Json(nullptr) : Json(info.region);
    api["account_id"] = info.account_id.empty() ? Json(nullptr) : Json(info.account_id);
    api["domain_names"] = info.domain_names;
    api["log_groups"] = info.log_groups;
    api["requests"] = info.requests;
    api["first_seen"] = Time(info.first_seen_ms);
    api["last_seen"] = Time(info.last_seen_ms);
    Json list = Json::array();
    // Endpoints and stages are both sorted by (api id, stage): walk them together.
    for (; next != endpoints.end() && next->key->api_id == id.first && next->key->stage == id.second;
         ++next) {
      const EndpointStats& s = *next->stats;
      Json e;
      e["method"] = next->key->method;
      e["path"] = next->key->path;
      e["template_source"] = model::TemplateSourceName(s.template_source);
      e["route"] = s.route.empty() ? Json(nullptr) : Json(s.route);
      e["requests"] = s.requests;
      auto statuses = s.status_counts;
      std::sort(statuses.begin(), statuses.end());
      Json codes = Json::object();
      for (const auto& [code, count] : statuses) {
        codes[code < 0 ? std::string("unknown") : std::to_string(code)] = count;
      }
      e["status_codes"] = std::move(codes);
      e["first_seen"] = Time(s.first_seen_ms);
      e["last_seen"] = Time(s.last_seen_ms);
      e["latency_ms"] = {{"response", Latency(s.response_latency)},
                         {"integration", Latency(s.integration_latency)}};
      list.push_back(std::move(e));
    }
    api["endpoints"] = std::move(list);
    apis.push_back(std::move(api));
  }
  doc["apis"] = std::move(apis);
  return doc.dump(2) + "\n";
}

}  // namespace gatescope::inventory
