#include "inventory/inventory_json.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "classify/segment_classifier.h"
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

Json Names(const std::vector<NameCount>& names) {
  auto sorted = names;
  std::sort(sorted.begin(), sorted.end(),
            [](const NameCount& a, const NameCount& b) { return a.name < b.name; });
  Json out = Json::object();
  for (const NameCount& n : sorted) out[n.name] = n.count;
  return out;
}


Json Params(const std::vector<ParamStats>& params) {
  auto sorted = params;
  std::sort(sorted.begin(), sorted.end(),
            [](const ParamStats& a, const ParamStats& b) { return a.name < b.name; });
  Json out = Json::object();
  for (const ParamStats& p : sorted) {
    Json e{{"count", p.count}, {"type", p.JsonType()}};
    if (p.format != classify::StringFormat::kNone) e["format"] = classify::StringFormatName(p.format);
    if (p.tags != 0) e["sensitive"] = TagNamesToJson(p.tags);
    if (!p.example.empty()) e["example_redacted"] = p.example;
    out[p.name] = std::move(e);
  }
  return out;
}

Json Bodies(const std::vector<BodyCount>& bodies, bool by_status) {
  auto sorted = bodies;
  std::sort(sorted.begin(), sorted.end(), [](const BodyCount& a, const BodyCount& b) {
    return std::tie(a.status, a.media_type) < std::tie(b.status, b.media_type);
  });
  Json out = Json::object();
  for (const BodyCount& b : sorted) {
    Json entry{{"count", b.count}, {"truncated", b.truncated}};
    std::string type = b.media_type.empty() ? "unknown" : b.media_type;
    if (by_status) {
      out[b.status < 0 ? std::string("unknown") : std::to_string(b.status)][type] = entry;
    } else {
      out[type] = entry;
    }
  }
  return out;
}

}  // namespace

nlohmann::ordered_json SensitiveFieldsToJson(const SchemaSketch& schema) {
  Json fields = Json::array();
  for (const auto& f : schema.SensitiveFields(DefaultSchemaOptions())) {
    fields.push_back({{"pointer", f.pointer},
                      {"sensitive", TagNamesToJson(f.tags)},
                      {"count", f.count},
                      {"example_redacted", f.example}});
  }
  return fields;
}

namespace {

// What execution logs told of the endpoint's requests and responses; null when none did.
Json Content(const EndpointStats& s) {
  if (s.content_logged == 0) return nullptr;
  Json c;
  c["requests_logged"] = s.content_logged;
  c["coverage_full"] = s.coverage_full;
  c["partial"] = s.partial;
  c["query_observed"] = s.query_observed;
  c["query_parameters"] = Params(s.query_params);
  c["request_headers_observed"] = s.request_headers_observed;
  c["request_headers"] = Params(s.request_headers);
  c["cookies"] = Params(s.cookies);
  c["response_headers"] = Names(s.response_headers);
  c["request_bodies"] = Bodies(s.request_bodies, false);
  c["response_bodies"] = Bodies(s.response_bodies, true);
  return c;
}

}  // namespace

Json TagNamesToJson(uint32_t tags) {
  Json out = Json::array();
  for (size_t i = 0; i < classify::kSensitiveTagCount; ++i) {
    auto tag = static_cast<classify::SensitiveTag>(1u << i);
    if ((tags & tag) != 0) out.push_back(classify::SensitiveTagName(tag));
  }
  return out;
}

Json AuthToJson(const AuthStats& a) {
  if (a.empty() && a.observed == 0) return nullptr;
  Json out{{"requests_observed", a.observed}, {"without_credentials", a.none}};
  Json schemes = Json::object();
  for (const auto& [name, n] : {std::pair<const char*, uint64_t>{"bearer", a.bearer},
                                {"bearer_jwt", a.bearer_jwt}, {"basic", a.basic},
                                {"aws_sigv4", a.sigv4}, {"authorization_masked", a.masked},
                                {"authorizer", a.authorizer},
                                {"api_key_required", a.api_key_required},
                                {"iam_caller", a.iam_caller}}) {
    if (n > 0) schemes[name] = n;
  }
  out["schemes"] = std::move(schemes);
  if (!a.authorizer_ids.empty()) out["authorizer_ids"] = a.authorizer_ids;
  if (!a.api_key_headers.empty()) out["api_key_headers"] = Names(a.api_key_headers);
  if (!a.api_key_query.empty()) out["api_key_query"] = Names(a.api_key_query);
  if (!a.jwt_claims.empty()) out["jwt_claim_names"] = Names(a.jwt_claims);
  return out;
}

Json EvidenceToJson(const ParamEvidence& e) {
  Json classes = Json::object();
  for (const auto& [cls, n] : e.classes) classes[std::string(classify::SegmentClassName(cls))] = n;
  return Json{{"name", e.name},
              {"rule", e.rule},
              {"distinct_values", e.distinct_values},
              {"requests", e.requests},
              {"classes", std::move(classes)},
              {"constant_siblings", e.constant_siblings},
              {"examples", e.examples}};
}

std::string InventoryToJson(const Inventory& inventory, const RunInfo& run) {
  return InventoryToJson(inventory, inventory.Render(), run);
}

std::string InventoryToJson(const Inventory&, const Inventory::Snapshot& snap,
                            const RunInfo& run) {
  return InventoryToJson(snap, run);
}

Json ApiStageToJson(const std::pair<std::string, std::string>& id, const ApiStageInfo& info,
                    const GatedCounts* gated) {
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
  if (gated != nullptr) {
    api["gated"] = {{"noise_requests", gated->noise_requests},
                    {"noise_paths", gated->noise_paths},
                    {"below_threshold_requests", gated->below_threshold_requests},
                    {"below_threshold_endpoints", gated->below_threshold_endpoints}};
  }
  return api;
}

Json EndpointToJson(const Inventory::Endpoint& endpoint) {
  const EndpointStats& s = endpoint.stats;
  Json e;
  e["method"] = endpoint.key.method;
  e["path"] = endpoint.key.path;
  e["template_source"] = model::TemplateSourceName(s.template_source);
  e["route"] = s.route.empty() ? Json(nullptr) : Json(s.route);
  if (!endpoint.evidence.empty()) {
    Json evidence = Json::array();
    for (const ParamEvidence& p : endpoint.evidence) evidence.push_back(EvidenceToJson(p));
    e["parameters_inferred"] = std::move(evidence);
  }
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
  Json sources = Json::object();
  for (auto source : {model::LogSource::kAccessLog, model::LogSource::kExecutionLog,
                      model::LogSource::kJoined}) {
    uint64_t n = s.by_log_source[static_cast<size_t>(source)];
    if (n > 0) sources[std::string(model::LogSourceName(source))] = n;
  }
  e["log_sources"] = std::move(sources);
  Json errors = Json::object();
  auto error_counts = s.errors;
  std::sort(error_counts.begin(), error_counts.end());
  for (const auto& [kind, n] : error_counts) errors[std::string(model::ErrorKindName(kind))] = n;
  e["errors"] = std::move(errors);
  e["content"] = Content(s);
  e["auth"] = AuthToJson(s.auth);
  return e;
}

std::string InventoryToJson(const Inventory::Snapshot& snap, const RunInfo& run) {
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
  const std::vector<Inventory::Endpoint>& endpoints = snap.endpoints;
  auto next = endpoints.begin();
  for (const auto& [id, info] : snap.api_stages) {
    auto g = snap.gated.find(id);
    Json api = ApiStageToJson(id, info, g == snap.gated.end() ? nullptr : &g->second);
    Json list = Json::array();
    // Endpoints and stages are both sorted by (api id, stage): walk them together.
    for (; next != endpoints.end() && next->key.api_id == id.first && next->key.stage == id.second;
         ++next) {
      list.push_back(EndpointToJson(*next));
    }
    api["endpoints"] = std::move(list);
    apis.push_back(std::move(api));
  }
  doc["apis"] = std::move(apis);
  return doc.dump(2) + "\n";
}

}  // namespace gatescope::inventory
