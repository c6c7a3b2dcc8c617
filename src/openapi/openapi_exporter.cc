#include "openapi/openapi_exporter.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/ascii.h"
#include "core/time_format.h"

namespace gatescope::openapi {
namespace {

using Json = nlohmann::ordered_json;
using inventory::EndpointKey;
using inventory::EndpointStats;
using inventory::Inventory;
using StageId = std::pair<std::string, std::string>;

constexpr std::string_view kMethods[] = {"get",  "put",     "post",  "delete",
                                         "options", "head", "patch", "trace"};

std::string Lower(std::string_view s) {
  std::string out(s);
  LowerAsciiInPlace(out);
  return out;
}

bool IsOpenApiMethod(const std::string& lower) {
  return std::find(std::begin(kMethods), std::end(kMethods), lower) != std::end(kMethods);
}

// The "{name}" parameters of a rendered path, in order, without duplicates; greedy ones
// (from "{name+}" in the original) are flagged.
std::vector<std::pair<std::string, bool>> PathParameters(const std::string& original) {
  std::vector<std::pair<std::string, bool>> out;
  size_t pos = 0;
  while ((pos = original.find('{', pos)) != std::string::npos) {
    size_t end = original.find('}', pos);
    if (end == std::string::npos) break;
    std::string name = original.substr(pos + 1, end - pos - 1);
    bool greedy = !name.empty() && name.back() == '+';
    if (greedy) name.pop_back();
    if (!name.empty() &&
        std::none_of(out.begin(), out.end(), [&](const auto& p) { return p.first == name; })) {
      out.emplace_back(name, greedy);
    }
    pos = end + 1;
  }
  return out;
}

std::string ServerUrl(const StageId& id, const inventory::ApiStageInfo& info) {
  bool named_stage = !id.second.empty() && id.second != "$default";
  std::string stage_suffix = named_stage ? "/" + id.second : "";
  for (const std::string& domain : info.domain_names) {
    // On an execute-api domain the stage is the first path segment; a custom domain maps
    // base paths we do not know, so it is given as is.
    bool execute_api = domain.find(".execute-api.") != std::string::npos;
    return "https://" + domain + (execute_api ? stage_suffix : "");
  }
  if (!info.region.empty()) {
    return "https://" + id.first + ".execute-api." + info.region + ".amazonaws.com" + stage_suffix;
  }
  return stage_suffix.empty() ? "/" : stage_suffix;
}

Json Latency(const inventory::LatencyHistogram& h) {
  if (h.count() == 0) return nullptr;
  return Json{{"count", h.count()},
              {"p50", h.Percentile(0.50)},
              {"p95", h.Percentile(0.95)},
              {"max", h.max()}};
}

// One operation's facts, merged over the stages that serve it.
struct MergedOperation {
  std::string method;  // As logged ("GET").
  std::string original_path;
  EndpointStats merged;
  std::vector<std::pair<const EndpointKey*, const EndpointStats*>> sources;
};

void MergeNames(std::vector<inventory::NameCount>& into,
                const std::vector<inventory::NameCount>& from) {
  for (const inventory::NameCount& n : from) {
    auto it = std::find_if(into.begin(), into.end(),
                           [&](const inventory::NameCount& m) { return m.name == n.name; });
    if (it == into.end()) {
      into.push_back(n);
    } else {
      it->count += n.count;
    }
  }
}

void MergeBodies(std::vector<inventory::BodyCount>& into,
                 const std::vector<inventory::BodyCount>& from) {
  for (const inventory::BodyCount& b : from) {
    auto it = std::find_if(into.begin(), into.end(), [&](const inventory::BodyCount& m) {
      return m.status == b.status && m.media_type == b.media_type;
    });
    if (it == into.end()) {
      into.push_back(b);
    } else {
      it->count += b.count;
      it->truncated += b.truncated;
    }
  }
}

void MergeInto(EndpointStats& into, const EndpointStats& s) {
  into.content_logged += s.content_logged;
  into.query_observed += s.query_observed;
  into.request_headers_observed += s.request_headers_observed;
  MergeNames(into.query_params, s.query_params);
  MergeNames(into.request_headers, s.request_headers);
  MergeNames(into.response_headers, s.response_headers);
  MergeBodies(into.request_bodies, s.request_bodies);
  MergeBodies(into.response_bodies, s.response_bodies);
  if (into.requests == 0) {
    into.template_source = s.template_source;
    into.route = s.route;
  }
  into.requests += s.requests;
  for (const auto& [code, count] : s.status_counts) {
    auto it = std::find_if(into.status_counts.begin(), into.status_counts.end(),
                           [&](const auto& p) { return p.first == code; });
    if (it == into.status_counts.end()) {
      into.status_counts.emplace_back(code, count);
    } else {
      it->second += count;
    }
  }
  if (s.first_seen_ms >= 0 && (into.first_seen_ms < 0 || s.first_seen_ms < into.first_seen_ms)) {
    into.first_seen_ms = s.first_seen_ms;
  }
  into.last_seen_ms = std::max(into.last_seen_ms, s.last_seen_ms);
  into.response_latency.Merge(s.response_latency);
  into.integration_latency.Merge(s.integration_latency);
}

std::string OperationId(const std::string& method, const std::string& path,
                        std::set<std::string>& used) {
  std::string id = Lower(method);
  bool sep = true;
  for (char c : path) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      if (sep) id += '_';
      id += c;
      sep = false;
    } else {
      sep = true;
    }
  }
  if (id == Lower(method)) id += "_root";
  std::string unique = id;
  for (int n = 2; !used.insert(unique).second; ++n) unique = id + "_" + std::to_string(n);
  return unique;
}

// Headers every request carries on its way through CloudFront and API Gateway, or that
// OpenAPI describes elsewhere (Accept, Content-Type and Authorization "SHALL be ignored" as
// header parameters; credentials are security schemes): not parameters of the API.
bool IsTransportHeader(const std::string& lower) {
  static const std::set<std::string, std::less<>> kNames = {
      "accept", "accept-encoding", "accept-language", "authorization", "cache-control",
      "connection", "content-length", "content-type", "cookie", "host", "origin", "postman-token",
      "pragma", "referer", "user-agent", "via", "x-amz-cf-id", "x-amz-date",
      "x-amz-security-token", "x-amzn-trace-id", "x-api-key", "x-forwarded-for",
      "x-forwarded-port", "x-forwarded-proto"};
  return kNames.count(lower) > 0 || lower.rfind("cloudfront-", 0) == 0 ||
         lower.rfind("sec-", 0) == 0;
}

std::vector<inventory::NameCount> SortedNames(std::vector<inventory::NameCount> names) {
  std::sort(names.begin(), names.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return names;
}

// The media types seen for one status (-1: requests), as an OpenAPI "content" map.
Json ContentFor(const std::vector<inventory::BodyCount>& bodies, int32_t status) {
  Json content = Json::object();
  for (const inventory::BodyCount& b : bodies) {
    if (b.status != status) continue;
    std::string type = b.media_type.empty() ? "application/octet-stream" : b.media_type;
    Json& entry = content[type];
    uint64_t seen = entry.contains("x-gatescope-seen") ? entry["x-gatescope-seen"].get<uint64_t>() : 0;
    entry["x-gatescope-seen"] = seen + b.count;
    if (b.truncated > 0) entry["x-gatescope-truncated"] = b.truncated;
  }
  return content;
}

Json Operation(const MergedOperation& op, const std::string& rendered, std::set<std::string>& ids) {
  const EndpointStats& s = op.merged;
  Json o;
  o["operationId"] = OperationId(op.method, rendered, ids);
  o["summary"] = op.method + " " + rendered;
  Json params = Json::array();
  for (const auto& [name, greedy] : PathParameters(op.original_path)) {
    Json p{{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}};
    if (greedy) {
      p["description"] = "Greedy path variable {" + name + "+}: one or more path segments.";
      p["x-gatescope-greedy"] = true;
    }
    params.push_back(std::move(p));
  }
  // Query parameters and headers seen in execution logs; "x-gatescope-seen" counts requests
  // showing the name, out of "x-gatescope-observed" whose map was logged whole.
  for (const inventory::NameCount& n : SortedNames(s.query_params)) {
    params.push_back({{"name", n.name},
                      {"in", "query"},
                      {"schema", {{"type", "string"}}},
                      {"x-gatescope-seen", n.count},
                      {"x-gatescope-observed", s.query_observed}});
  }
  for (const inventory::NameCount& n : SortedNames(s.request_headers)) {
    if (IsTransportHeader(n.name)) continue;
    params.push_back({{"name", n.name},
                      {"in", "header"},
                      {"schema", {{"type", "string"}}},
                      {"x-gatescope-seen", n.count},
                      {"x-gatescope-observed", s.request_headers_observed}});
  }
  if (!params.empty()) o["parameters"] = std::move(params);
  if (Json content = ContentFor(s.request_bodies, -1); !content.empty()) {
    o["requestBody"] = {{"content", std::move(content)}};
  }
  auto statuses = s.status_counts;
  std::sort(statuses.begin(), statuses.end());
  Json responses = Json::object();
  for (const auto& [code, count] : statuses) {
    if (code < 100 || code > 599) continue;
    Json response = {
        {"description", "Observed " + std::to_string(count) + " time" + (count == 1 ? "" : "s") + "."}};
    if (Json content = ContentFor(s.response_bodies, code); !content.empty()) {
      response["content"] = std::move(content);
    }
    responses[std::to_string(code)] = std::move(response);
  }
  if (responses.empty()) responses["default"] = {{"description", "No status code was logged."}};
  o["responses"] = std::move(responses);
  o["x-gatescope-requests"] = s.requests;
  o["x-gatescope-first-seen"] = s.first_seen_ms < 0 ? Json(nullptr) : Json(FormatIso8601(s.first_seen_ms));
  o["x-gatescope-last-seen"] = s.last_seen_ms < 0 ? Json(nullptr) : Json(FormatIso8601(s.last_seen_ms));
  o["x-gatescope-template-source"] = model::TemplateSourceName(s.template_source);
  if (!s.route.empty()) o["x-gatescope-route"] = s.route;
  o["x-gatescope-latency-ms"] = {{"response", Latency(s.response_latency)},
                                 {"integration", Latency(s.integration_latency)}};
  Json sources = Json::array();
  for (const auto& [key, stats] : op.sources) {
    sources.push_back({{"api_id", key->api_id},
                       {"stage", key->stage.empty() ? Json(nullptr) : Json(key->stage)},
                       {"requests", stats->requests}});
  }
  o["x-gatescope-sources"] = std::move(sources);
  return o;
}

// Builds one document over the API stages `in_scope` accepts.
template <typename Scope>
std::string BuildDocument(const Inventory& inv, const OpenApiOptions& options, std::string title,
                          Scope in_scope) {
  // Servers, one per API stage with HTTP endpoints.
  std::map<StageId, Json> servers;
  for (const auto& [id, info] : inv.api_stages()) {
    if (!in_scope(id.first) || info.kind == model::ApiKind::kWebSocket) continue;
    Json server{{"url", ServerUrl(id, info)},
                {"description", "API " + id.first + ", stage " +
                                    (id.second.empty() ? std::string("unknown") : id.second) +
                                    " (" + std::string(model::ApiKindName(info.kind)) + ")"},
                {"x-gatescope-api-id", id.first},
                {"x-gatescope-stage", id.second.empty() ? Json(nullptr) : Json(id.second)}};
    servers.emplace(id, std::move(server));
  }

  // Group endpoints: rendered path -> method -> merged operation.
  std::map<std::string, std::map<std::string, MergedOperation>> paths;
  std::map<std::string, std::set<StageId>> path_stages;
  Json websocket = Json::array();
  for (const Inventory::Endpoint& e : inv.SortedEndpoints()) {
    if (!in_scope(e.key->api_id)) continue;
    if (e.key->method == "WS") {
      websocket.push_back({{"api_id", e.key->api_id},
                           {"stage", e.key->stage},
                           {"route_key", e.key->path},
                           {"requests", e.stats->requests}});
      continue;
    }
    bool concrete = e.stats->template_source == model::TemplateSource::kConcrete;
    std::string rendered = RenderPath(e.key->path, concrete);
    MergedOperation& op = paths[rendered][e.key->method];
    op.method = e.key->method;
    if (op.original_path.empty()) op.original_path = concrete ? rendered : e.key->path;
    MergeInto(op.merged, *e.stats);
    op.sources.emplace_back(e.key, e.stats);
    path_stages[rendered].insert({e.key->api_id, e.key->stage});
  }

  Json doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = {{"title", std::move(title)},
                 {"version", FormatIso8601(options.generated_at_ms).substr(0, 10)},
                 {"description",
                  "Endpoints observed in Amazon API Gateway access logs by gatescope. Each "
                  "operation's x-gatescope-* extensions give its request count, first and "
                  "last seen times, latency and the API stages serving it."}};
  Json server_list = Json::array();
  for (const auto& [id, server] : servers) server_list.push_back(server);
  if (!server_list.empty()) doc["servers"] = server_list;

  std::set<std::string> operation_ids;
  Json path_items = Json::object();
  for (auto& [rendered, methods] : paths) {
    Json item = Json::object();
    const std::set<StageId>& stages = path_stages[rendered];
    if (stages.size() < servers.size()) {
      Json subset = Json::array();
      for (const StageId& id : stages) {
        auto it = servers.find(id);
        if (it != servers.end()) subset.push_back(it->second);
      }
      if (!subset.empty()) item["servers"] = std::move(subset);
    }
    Json other = Json::object();
    for (auto& [method, op] : methods) {
      std::string lower = Lower(method);
      if (IsOpenApiMethod(lower)) {
        item[lower] = Operation(op, rendered, operation_ids);
      } else {
        other[method] = Operation(op, rendered, operation_ids);
      }
    }
    if (!other.empty()) item["x-gatescope-other-operations"] = std::move(other);
    path_items[rendered] = std::move(item);
  }
  doc["paths"] = std::move(path_items);
  if (!websocket.empty()) doc["x-gatescope-websocket-routes"] = std::move(websocket);
  doc["x-gatescope-generated-at"] = FormatIso8601(options.generated_at_ms);
  return doc.dump(2) + "\n";
}

std::string FileNameFor(const std::string& api_id) {
  std::string out;
  for (char c : api_id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  while (!out.empty() && out.front() == '.') out.erase(0, 1);  // No hidden or ".." names.
  if (out.empty()) out = "api";
  return out + ".openapi.json";
}

}  // namespace

std::string RenderPath(const std::string& path, bool concrete) {
  std::string out;
  if (path.empty() || path[0] != '/') out += '/';
  for (char c : path) {
    if (concrete && c == '{') {
      out += "%7B";
    } else if (concrete && c == '}') {
      out += "%7D";
    } else if (!concrete && c == '+' && !out.empty() && out.back() != '/') {
      // Drop the '+' of "{name+}" only (a '+' elsewhere in a template is a literal).
      size_t open = out.rfind('{');
      if (open == std::string::npos || out.find('}', open) != std::string::npos) out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string ExportOpenApi(const Inventory& inventory, const OpenApiOptions& options) {
  return BuildDocument(inventory, options, "API inventory discovered by gatescope",
                       [](const std::string&) { return true; });
}

std::vector<std::pair<std::string, std::string>> ExportOpenApiPerApi(
    const Inventory& inventory, const OpenApiOptions& options) {
  std::set<std::string> api_ids;
  for (const auto& [id, info] : inventory.api_stages()) api_ids.insert(id.first);
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> names;
  for (const std::string& api : api_ids) {
    std::string name = FileNameFor(api);
    for (int n = 2; !names.insert(name).second; ++n) {
      name = FileNameFor(api + "_" + std::to_string(n));
    }
    out.emplace_back(name, BuildDocument(inventory, options, "API " + api + " (discovered by gatescope)",
                                         [&](const std::string& id) { return id == api; }));
  }
  return out;
}

}  // namespace gatescope::openapi
