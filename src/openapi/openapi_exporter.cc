#include "openapi/openapi_exporter.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/ascii.h"
#include "classify/value_classifier.h"
#include "core/time_format.h"
#include "inventory/inventory_json.h"

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
  const std::vector<inventory::ParamEvidence>* evidence = nullptr;  // Inferred parameters.
};

// A component name: OpenAPI allows only ^[a-zA-Z0-9._-]+$.
std::string SafeName(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    out += ok ? c : '_';
  }
  return out.empty() ? "_" : out;
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

// Requests a parameter must be seen in whole maps before "required" is inferred from them.
constexpr uint64_t kMinObservedForRequired = 3;

std::vector<inventory::ParamStats> SortedParams(std::vector<inventory::ParamStats> params) {
  std::sort(params.begin(), params.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return params;
}

// Headers that carry credentials are security schemes, not parameters.
bool IsCredentialHeader(const std::string& lower) {
  return (classify::SensitiveTagsForName(lower) & classify::kTagCredential) != 0 &&
         lower != "cookie";
}


// Adds the security schemes an operation's requests showed to `schemes` (the document's
// components) and returns the operation's `security`: alternatives, "{}" when some requests
// carried no credential.
Json Security(const inventory::AuthStats& a, Json& schemes) {
  Json security = Json::array();
  auto use = [&](const std::string& name, Json scheme) {
    if (!schemes.contains(name)) schemes[name] = std::move(scheme);
    security.push_back({{name, Json::array()}});
  };
  if (a.bearer_jwt > 0) {
    Json scheme{{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}};
    use("bearerJwt", std::move(scheme));
  }
  if (a.bearer > a.bearer_jwt) use("bearer", {{"type", "http"}, {"scheme", "bearer"}});
  if (a.basic > 0) use("basic", {{"type", "http"}, {"scheme", "basic"}});
  if (a.sigv4 > 0 || a.iam_caller > 0) {
    use("awsSigV4", {{"type", "apiKey"}, {"in", "header"}, {"name", "Authorization"},
                     {"description", "AWS Signature Version 4 (IAM authorization)."},
                     {"x-amazon-apigateway-authtype", "awsSigv4"}});
  }
  for (const std::string& id : a.authorizer_ids) {
    use("authorizer_" + SafeName(id),
        {{"type", "apiKey"}, {"in", "header"}, {"name", "Authorization"},
         {"description", "API Gateway authorizer " + id + " (Lambda or Cognito)."},
         {"x-amazon-apigateway-authtype", "custom"}, {"x-gatescope-authorizer-id", id}});
  }
  if (a.authorizer > 0 && a.authorizer_ids.empty()) {
    use("authorizer", {{"type", "apiKey"}, {"in", "header"}, {"name", "Authorization"},
                       {"description", "An API Gateway authorizer ran (its id was not logged)."},
                       {"x-amazon-apigateway-authtype", "custom"}});
  }
  if (a.masked > 0 && a.authorizer == 0 && a.bearer + a.basic + a.sigv4 == 0) {
    use("authorizationHeader",
        {{"type", "apiKey"}, {"in", "header"}, {"name", "Authorization"},
         {"description", "An Authorization header the gateway masked in its logs: scheme unknown."}});
  }
  for (const inventory::NameCount& h : a.api_key_headers) {
    use("apiKeyHeader_" + SafeName(h.name),
        {{"type", "apiKey"}, {"in", "header"}, {"name", h.name}});
  }
  if (a.api_key_required > 0 && a.api_key_headers.empty()) {
    use("apiKeyHeader_x-api-key", {{"type", "apiKey"}, {"in", "header"}, {"name", "x-api-key"}});
  }
  for (const inventory::NameCount& q : a.api_key_query) {
    use("apiKeyQuery_" + SafeName(q.name), {{"type", "apiKey"}, {"in", "query"}, {"name", q.name}});
  }
  if (!security.empty() && a.none > 0) security.push_back(Json::object());
  return security;
}

// The media types seen for one status (-1: requests), as an OpenAPI "content" map, with the
// schema inferred from the JSON and form bodies.
Json ContentFor(const std::vector<inventory::BodyCount>& bodies, int32_t status) {
  Json content = Json::object();
  for (const inventory::BodyCount& b : bodies) {
    if (b.status != status) continue;
    std::string type = b.media_type.empty() ? "application/octet-stream" : b.media_type;
    Json& entry = content[type];
    Json schema = b.schema.ToJsonSchema(inventory::DefaultSchemaOptions());
    if (!schema.empty()) entry["schema"] = std::move(schema);
    entry["x-gatescope-seen"] = b.count;
    if (b.truncated > 0) entry["x-gatescope-truncated"] = b.truncated;
    Json sensitive = inventory::SensitiveFieldsToJson(b.schema);
    if (!sensitive.empty()) entry["x-gatescope-sensitive-fields"] = std::move(sensitive);
  }
  return content;
}

Json Operation(const MergedOperation& op, const std::string& rendered, std::set<std::string>& ids,
               Json& schemes) {
  const EndpointStats& s = op.merged;
  Json o;
  o["operationId"] = OperationId(op.method, rendered, ids);
  o["summary"] = op.method + " " + rendered;
  Json params = Json::array();
  for (const auto& [name, greedy] : PathParameters(op.original_path)) {
    Json p{{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}};
    if (op.evidence != nullptr) {
      for (const inventory::ParamEvidence& e : *op.evidence) {
        if (e.name == name) p["x-gatescope-evidence"] = inventory::EvidenceToJson(e);
      }
    }
    if (greedy) {
      p["description"] = "Greedy path variable {" + name + "+}: one or more path segments.";
      p["x-gatescope-greedy"] = true;
    }
    params.push_back(std::move(p));
  }
  // Query parameters, headers and cookies seen in execution logs; "x-gatescope-seen" counts
  // requests showing the name, out of "x-gatescope-observed" whose map was logged whole.
  auto add = [&](const inventory::ParamStats& p, const char* in, uint64_t observed) {
    Json schema{{"type", p.JsonType()}};
    if (p.format != classify::StringFormat::kNone && p.JsonType() == "string") {
      schema["format"] = classify::StringFormatName(p.format);
    }
    Json param{{"name", p.name}, {"in", in}};
    // Required when every request whose parameters were logged whole had it.
    if (observed >= kMinObservedForRequired && p.count >= observed) param["required"] = true;
    param["schema"] = std::move(schema);
    param["x-gatescope-seen"] = p.count;
    if (observed > 0) param["x-gatescope-observed"] = observed;
    if (p.tags != 0) param["x-gatescope-sensitive"] = inventory::TagNamesToJson(p.tags);
    if (!p.example.empty()) param["x-gatescope-example-redacted"] = p.example;
    params.push_back(std::move(param));
  };
  for (const inventory::ParamStats& p : SortedParams(s.query_params)) add(p, "query", s.query_observed);
  for (const inventory::ParamStats& p : SortedParams(s.request_headers)) {
    if (!IsTransportHeader(p.name) && !IsCredentialHeader(p.name)) {
      add(p, "header", s.request_headers_observed);
    }
  }
  for (const inventory::ParamStats& p : SortedParams(s.cookies)) add(p, "cookie", 0);
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
  if (Json security = Security(s.auth, schemes); !security.empty()) {
    o["security"] = std::move(security);
  }
  if (!s.auth.jwt_claims.empty()) {
    Json claims = Json::array();
    for (const inventory::NameCount& c : s.auth.jwt_claims) claims.push_back(c.name);
    o["x-gatescope-jwt-claims"] = std::move(claims);
  }
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

// Moves object schemas that several bodies share into components.schemas, named after the first
// operation and status that used them, and refers to them by $ref: one definition per shape.
void ShareRepeatedSchemas(Json& paths, Json& components) {
  std::map<std::string, std::pair<int, std::string>> seen;  // Dump -> (uses, name).
  std::set<std::string> names;
  auto visit = [&](auto&& on_schema) {
    for (auto& [path, item] : paths.items()) {
      for (auto& [method, op] : item.items()) {
        if (!op.is_object() || !op.contains("operationId")) continue;
        std::string id = op["operationId"].template get<std::string>();
        if (op.contains("requestBody")) {
          for (auto& [type, media] : op["requestBody"]["content"].items()) {
            if (media.contains("schema")) on_schema(media["schema"], id + "_request");
          }
        }
        for (auto& [status, response] : op["responses"].items()) {
          if (!response.contains("content")) continue;
          for (auto& [type, media] : response["content"].items()) {
            if (media.contains("schema")) on_schema(media["schema"], id + "_" + status);
          }
        }
      }
    }
  };
  auto shareable = [](const Json& schema) {
    return schema.is_object() && schema.contains("properties") && schema["properties"].size() >= 2;
  };
  visit([&](Json& schema, const std::string& where) {
    if (!shareable(schema)) return;
    auto [it, inserted] = seen.try_emplace(schema.dump(), 0, where);
    ++it->second.first;
  });
  visit([&](Json& schema, const std::string&) {
    if (!shareable(schema)) return;
    auto it = seen.find(schema.dump());
    if (it == seen.end() || it->second.first < 2) return;
    std::string name = SafeName(it->second.second);
    if (!components["schemas"].contains(name)) components["schemas"][name] = schema;
    schema = Json{{"$ref", "#/components/schemas/" + name}};
  });
}

// Builds one document over the API stages `in_scope` accepts.
template <typename Scope>
Json BuildDocument(const Inventory::Snapshot& snap, const OpenApiOptions& options,
                   std::string title, Scope in_scope) {
  // Servers, one per API stage with HTTP endpoints.
  std::map<StageId, Json> servers;
  for (const auto& [id, info] : snap.api_stages) {
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
  for (const Inventory::Endpoint& e : snap.endpoints) {
    if (!in_scope(e.key.api_id)) continue;
    if (e.key.method == "WS") {
      websocket.push_back({{"api_id", e.key.api_id},
                           {"stage", e.key.stage},
                           {"route_key", e.key.path},
                           {"requests", e.stats.requests}});
      continue;
    }
    bool concrete = e.stats.template_source == model::TemplateSource::kConcrete;
    std::string rendered = RenderPath(e.key.path, concrete);
    MergedOperation& op = paths[rendered][e.key.method];
    op.method = e.key.method;
    if (op.original_path.empty()) op.original_path = concrete ? rendered : e.key.path;
    op.merged.Merge(e.stats);
    op.sources.emplace_back(&e.key, &e.stats);
    if (!e.evidence.empty()) op.evidence = &e.evidence;
    path_stages[rendered].insert({e.key.api_id, e.key.stage});
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
  Json schemes = Json::object();
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
        item[lower] = Operation(op, rendered, operation_ids, schemes);
      } else {
        other[method] = Operation(op, rendered, operation_ids, schemes);
      }
    }
    if (!other.empty()) item["x-gatescope-other-operations"] = std::move(other);
    path_items[rendered] = std::move(item);
  }
  Json components = Json::object();
  ShareRepeatedSchemas(path_items, components);
  doc["paths"] = std::move(path_items);
  if (!schemes.empty()) components["securitySchemes"] = std::move(schemes);
  if (!components.empty()) doc["components"] = std::move(components);
  if (!websocket.empty()) doc["x-gatescope-websocket-routes"] = std::move(websocket);
  doc["x-gatescope-generated-at"] = FormatIso8601(options.generated_at_ms);
  return doc;
}

std::string Serialize(const Json& doc) { return doc.dump(2) + "\n"; }

std::string TitleFor(std::string_view api) {
  return "API " + std::string(api) + " (discovered by gatescope)";
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
  return ExportOpenApi(inventory.Render(), options);
}

std::string ExportOpenApi(const Inventory&, const Inventory::Snapshot& snapshot,
                          const OpenApiOptions& options) {
  return ExportOpenApi(snapshot, options);
}

std::string ExportOpenApi(const Inventory::Snapshot& snapshot, const OpenApiOptions& options) {
  return Serialize(BuildDocument(snapshot, options, "API inventory discovered by gatescope",
                                 [](const std::string&) { return true; }));
}

std::vector<std::pair<std::string, std::string>> ExportOpenApiPerApi(
    const Inventory& inventory, const OpenApiOptions& options) {
  return ExportOpenApiPerApi(inventory.Render(), options);
}

std::vector<std::pair<std::string, std::string>> ExportOpenApiPerApi(
    const Inventory&, const Inventory::Snapshot& snapshot, const OpenApiOptions& options) {
  return ExportOpenApiPerApi(snapshot, options);
}

std::vector<std::pair<std::string, std::string>> ExportOpenApiPerApi(
    const Inventory::Snapshot& snapshot, const OpenApiOptions& options) {
  std::set<std::string> api_ids;
  for (const auto& [id, info] : snapshot.api_stages) api_ids.insert(id.first);
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> names;
  for (const std::string& api : api_ids) {
    std::string name = FileNameFor(api);
    for (int n = 2; !names.insert(name).second; ++n) {
      name = FileNameFor(api + "_" + std::to_string(n));
    }
    out.emplace_back(name, Serialize(BuildDocument(snapshot, options, TitleFor(api),
                                                   [&](const std::string& id) { return id == api; })));
  }
  return out;
}

std::optional<Json> ExportOpenApiJson(const Inventory::Snapshot& snapshot, std::string_view api_id,
                                      const OpenApiOptions& options) {
  bool known = std::any_of(snapshot.api_stages.begin(), snapshot.api_stages.end(),
                           [&](const auto& stage) { return stage.first.first == api_id; });
  if (!known) return std::nullopt;
  return BuildDocument(snapshot, options, TitleFor(api_id),
                       [&](const std::string& id) { return id == api_id; });
}

std::optional<std::string> ExportOpenApiForApi(const Inventory::Snapshot& snapshot,
                                               std::string_view api_id,
                                               const OpenApiOptions& options) {
  std::optional<Json> doc = ExportOpenApiJson(snapshot, api_id, options);
  if (!doc) return std::nullopt;
  return Serialize(*doc);
}

}  // namespace gatescope::openapi
