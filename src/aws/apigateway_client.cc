#include "aws/apigateway_client.h"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "core/time_format.h"
#include "env/url.h"

namespace gatescope::aws {
namespace {

using Json = nlohmann::json;

// Bounds a paginated listing: a service (or fake) that keeps answering with new tokens must not
// keep us looping for ever. 10,000 pages of 500 REST APIs is far beyond any account's quota.
constexpr int kMaxPages = 10000;

// Parses `text` as a JSON object without throwing (allow_exceptions = false).
Result<Json> ParseObject(std::string_view text, std::string_view what) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return ParseError(std::string(what) + ": response is not JSON");
  if (!doc.is_object()) return ParseError(std::string(what) + ": response is not a JSON object");
  return doc;
}

// Member accessors that treat a missing member, JSON null and a member of another type alike as
// absent: moto and API Gateway both send null for unset members, and a field whose type changes
// must not lose the whole page.
std::string Str(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool Bool(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

const Json* Member(const Json& obj, const char* key, Json::value_t type) {
  auto it = obj.find(key);
  if (it == obj.end() || it->type() != type) return nullptr;
  return &*it;
}

const Json* Obj(const Json& obj, const char* key) {
  return Member(obj, key, Json::value_t::object);
}

const Json* Arr(const Json& obj, const char* key) { return Member(obj, key, Json::value_t::array); }

std::vector<std::string> Strings(const Json& obj, const char* key) {
  std::vector<std::string> out;
  if (const Json* arr = Arr(obj, key)) {
    for (const Json& v : *arr) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

// rest-json timestamps: v1 sends epoch seconds (a number, possibly fractional); v2's model
// declares ISO 8601 strings ("2026-11-21T21:25:28Z"). Accept either in both.
std::chrono::system_clock::time_point Timestamp(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (it->is_number()) {
    double seconds = it->get<double>();
    if (!(seconds > -1e12 && seconds < 1e12)) return {};  // Rejects NaN and overflow.
    return std::chrono::system_clock::time_point(
        std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
  }
  if (it->is_string()) {
    const std::string& text = it->get_ref<const std::string&>();
    size_t consumed = 0;
    if (std::optional<int64_t> ms = ParseIso8601Prefix(text, &consumed)) {
      return std::chrono::system_clock::time_point(std::chrono::milliseconds(*ms));
    }
  }
  return {};
}

std::optional<AccessLogSettings> AccessLog(const Json& obj, const char* key) {
  const Json* settings = Obj(obj, key);
  if (settings == nullptr) return std::nullopt;
  AccessLogSettings out{.destination_arn = Str(*settings, "destinationArn"),
                        .format = Str(*settings, "format")};
  // An empty object is what a stage whose access logging was removed can carry.
  if (out.destination_arn.empty() && out.format.empty()) return std::nullopt;
  return out;
}

// Runs a reader, turning any exception from the JSON library (bad_alloc included) into a
// kParseError: the readers face untrusted bytes and must not throw across the module boundary.
template <typename F>
auto Guarded(std::string_view what, F&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const std::exception& e) {
    return ParseError(std::string(what) + ": " + e.what());
  }
}

RestApi ReadRestApi(const Json& item) {
  RestApi api{.id = Str(item, "id"),
              .name = Str(item, "name"),
              .description = Str(item, "description"),
              .endpoint_types = {},
              .created = Timestamp(item, "createdDate")};
  if (const Json* config = Obj(item, "endpointConfiguration")) {
    api.endpoint_types = Strings(*config, "types");
  }
  return api;
}

Stage ReadStage(const Json& item) {
  Stage stage{.name = Str(item, "stageName"),
              .deployment_id = Str(item, "deploymentId"),
              .method_settings = {},
              .access_log = AccessLog(item, "accessLogSettings"),
              .tracing_enabled = Bool(item, "tracingEnabled")};
  if (const Json* settings = Obj(item, "methodSettings")) {
    for (const auto& [key, value] : settings->items()) {
      if (!value.is_object()) continue;
      stage.method_settings[key] =
          MethodSetting{.logging_level = Str(value, "loggingLevel"),
                        .data_trace_enabled = Bool(value, "dataTraceEnabled"),
                        .metrics_enabled = Bool(value, "metricsEnabled")};
    }
  }
  return stage;
}

Resource ReadResource(const Json& item) {
  Resource resource{.id = Str(item, "id"),
                    .parent_id = Str(item, "parentId"),
                    .path = Str(item, "path"),
                    .path_part = Str(item, "pathPart"),
                    .methods = {}};
  if (const Json* methods = Obj(item, "resourceMethods")) {
    for (const auto& [verb, value] : methods->items()) {
      ResourceMethod method{.http_method = verb};
      // Without embed=methods the map holds empty objects: the verbs are still worth having.
      if (value.is_object()) {
        method.authorization_type = Str(value, "authorizationType");
        if (const Json* integration = Obj(value, "methodIntegration")) {
          method.integration_type = Str(*integration, "type");
          method.integration_uri = Str(*integration, "uri");
        }
      }
      resource.methods.emplace(verb, std::move(method));
    }
  }
  return resource;
}

RouteSettingsV2 ReadRouteSettings(const Json& obj) {
  return RouteSettingsV2{.logging_level = Str(obj, "loggingLevel"),
                         .data_trace_enabled = Bool(obj, "dataTraceEnabled"),
                         .detailed_metrics_enabled = Bool(obj, "detailedMetricsEnabled")};
}

StageV2 ReadStageV2(const Json& item) {
  StageV2 stage{.name = Str(item, "stageName"),
                .access_log = AccessLog(item, "accessLogSettings"),
                .default_route_settings = {},
                .route_settings = {},
                .auto_deploy = Bool(item, "autoDeploy"),
                .api_gateway_managed = Bool(item, "apiGatewayManaged")};
  if (const Json* defaults = Obj(item, "defaultRouteSettings")) {
    stage.default_route_settings = ReadRouteSettings(*defaults);
  }
  if (const Json* routes = Obj(item, "routeSettings")) {
    for (const auto& [key, value] : routes->items()) {
      if (value.is_object()) stage.route_settings[key] = ReadRouteSettings(value);
    }
  }
  return stage;
}

// Reads the list member `list_key` of a page with `read` applied to each object element.
template <typename T, typename F>
std::vector<T> ReadList(const Json& doc, const char* list_key, F read) {
  std::vector<T> out;
  if (const Json* items = Arr(doc, list_key)) {
    out.reserve(items->size());
    for (const Json& item : *items) {
      if (item.is_object()) out.push_back(read(item));
    }
  }
  return out;
}

// Follows a page token: `fetch(token, out)` requests the page after `token` (the first page for
// an empty one), appends its items to `out` and returns the next token. Stops when the token is
// absent; fails when a token repeats (a loop) or after kMaxPages.
template <typename T, typename Fetch>
Result<std::vector<T>> Paginate(std::string_view action, Fetch fetch) {
  std::vector<T> out;
  std::set<std::string> seen;
  std::string token;
  for (int page = 0; page < kMaxPages; ++page) {
    GS_ASSIGN_OR_RETURN(std::string next, fetch(token, out));
    if (next.empty()) return out;
    if (!seen.insert(next).second) {
      return InternalError("apigateway:" + std::string(action) + ": page token \"" + next +
                           "\" came back twice; stopping a pagination loop");
    }
    token = std::move(next);
  }
  return InternalError("apigateway:" + std::string(action) + ": more than " +
                       std::to_string(kMaxPages) + " pages");
}

std::string RestApiPath(std::string_view rest_api_id) {
  return "/restapis/" + env::UriEncode(rest_api_id);
}

std::string V2ApiPath(std::string_view api_id) { return "/v2/apis/" + env::UriEncode(api_id); }

}  // namespace

std::string_view LoggingLevelName(LoggingLevel level) {
  switch (level) {
    case LoggingLevel::kOff:
      return "OFF";
    case LoggingLevel::kError:
      return "ERROR";
    case LoggingLevel::kInfo:
      return "INFO";
  }
  return "OFF";
}

std::string EscapeJsonPointer(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string MethodSettingsKey(std::string_view resource_path, std::string_view http_method) {
  if (resource_path == "*" && http_method == "*") return std::string(kAllMethods);
  // The whole resource path is one token, leading '/' included: the AWS CLI reference's
  // update-stage example patches "/~1resourceName/GET/logging/loglevel" and get-stage then
  // lists the key "~1resourceName/GET" (moto stores it the same way).
  return EscapeJsonPointer(resource_path) + "/" + std::string(http_method);
}

std::vector<PatchOperation> ExecutionLoggingPatch(LoggingLevel level, bool data_trace,
                                                  std::string_view method_key) {
  std::string prefix = "/" + std::string(method_key) + "/logging/";
  return {
      {.op = "replace", .path = prefix + "loglevel", .value = std::string(LoggingLevelName(level))},
      {.op = "replace", .path = prefix + "dataTrace", .value = data_trace ? "true" : "false"},
  };
}

std::vector<PatchOperation> MetricsPatch(bool enabled, std::string_view method_key) {
  return {{.op = "replace",
           .path = "/" + std::string(method_key) + "/metrics/enabled",
           .value = enabled ? "true" : "false"}};
}

std::vector<PatchOperation> AccessLogPatch(std::string_view destination_arn,
                                           std::string_view format) {
  return {
      {.op = "replace",
       .path = "/accessLogSettings/destinationArn",
       .value = std::string(destination_arn)},
      {.op = "replace", .path = "/accessLogSettings/format", .value = std::string(format)},
  };
}

std::vector<PatchOperation> RemoveAccessLogPatch() {
  return {{.op = "remove", .path = "/accessLogSettings", .value = {}}};
}

std::string PatchOperationsJson(const std::vector<PatchOperation>& operations) {
  Json ops = Json::array();
  for (const PatchOperation& operation : operations) {
    Json op = {{"op", operation.op}, {"path", operation.path}};
    if (!(operation.op == "remove" && operation.value.empty())) op["value"] = operation.value;
    ops.push_back(std::move(op));
  }
  Json body = {{"patchOperations", std::move(ops)}};
  // error_handler_t::replace: invalid UTF-8 in a caller's value becomes U+FFFD instead of a
  // type_error exception.
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<RestApisPage> ParseRestApisPage(std::string_view json) {
  return Guarded("GetRestApis", [&]() -> Result<RestApisPage> {
    GS_ASSIGN_OR_RETURN(Json doc, ParseObject(json, "GetRestApis"));
    // The wire name is "item"; the SDKs rename it "items" (botocore service-2.json locationName).
    return RestApisPage{.items = ReadList<RestApi>(doc, "item", ReadRestApi),
                        .position = Str(doc, "position")};
  });
}

Result<std::vector<Stage>> ParseStages(std::string_view json) {
  return Guarded("GetStages", [&]() -> Result<std::vector<Stage>> {
    GS_ASSIGN_OR_RETURN(Json doc, ParseObject(json, "GetStages"));
    return ReadList<Stage>(doc, "item", ReadStage);
  });
}

Result<Stage> ParseStage(std::string_view json) {
  return Guarded("GetStage", [&]() -> Result<Stage> {
    GS_ASSIGN_OR_RETURN(Json doc, ParseObject(json, "GetStage"));
    return ReadStage(doc);
  });
}

Result<ResourcesPage> ParseResourcesPage(std::string_view json) {
  return Guarded("GetResources", [&]() -> Result<ResourcesPage> {
    GS_ASSIGN_OR_RETURN(Json doc, ParseObject(json, "GetResources"));
    return ResourcesPage{.items = ReadList<Resource>(doc, "item", ReadResource),
                         .position = Str(doc, "position")};
  });
}

Result<ApiGatewayAccount> ParseAccount(std::string_view json) {
  return Guarded("GetAccount", [&]() -> Result<ApiGatewayAccount> {
    GS_ASSIGN_OR_RETURN(Json doc, ParseObject(json, "GetAccount"));
    ApiGatewayAccount account{.cloudwatch_role_arn = Str(doc, "cloudwatchRoleArn"),
                              .throttle_burst_limit = 0,
                              .throttle_rate_limit = 0,
                              .features = Strings(doc, "features")};
    if (const Json* throttle = Obj(doc, "throttleSettings")) {
      auto burst = throttle->find("burstLimit");
      if (burst != throttle->end() && burst->is_number_integer()) {
        account.throttle_burst_limit = burst->get<int64_t>();
      }
      auto rate = throttle->find("rateLimit");
      if (rate != throttle->end() && rate->is_number()) {
        account.throttle_rate_limit = rate->get<double>();
      }
    }
    return account;
  });
}

Result<std::vector<RestApi>> ApiGatewayClient::GetRestApis(int page_size) {
  return Paginate<RestApi>(
      "GetRestApis",
      [&](const std::string& position, std::vector<RestApi>& out) -> Result<std::string> {
        std::vector<std::pair<std::string, std::string>> query = {
            {"limit", std::to_string(std::clamp(page_size, 1, 500))}};
        if (!position.empty()) query.emplace_back("position", position);
        GS_ASSIGN_OR_RETURN(std::string body,
                            client_.CallRestJson("GetRestApis", "GET", "/restapis", query));
        GS_ASSIGN_OR_RETURN(RestApisPage page, ParseRestApisPage(body));
        for (RestApi& api : page.items) out.push_back(std::move(api));
        return page.position;
      });
}

Result<std::vector<Stage>> ApiGatewayClient::GetStages(std::string_view rest_api_id) {
  GS_ASSIGN_OR_RETURN(std::string body, client_.CallRestJson("GetStages", "GET",
                                                             RestApiPath(rest_api_id) + "/stages"));
  return ParseStages(body);
}

Result<Stage> ApiGatewayClient::GetStage(std::string_view rest_api_id,
                                         std::string_view stage_name) {
  GS_ASSIGN_OR_RETURN(std::string body, client_.CallRestJson("GetStage", "GET",
                                                             RestApiPath(rest_api_id) + "/stages/" +
                                                                 env::UriEncode(stage_name)));
  return ParseStage(body);
}

Result<std::vector<Resource>> ApiGatewayClient::GetResources(std::string_view rest_api_id,
                                                             bool embed_methods, int page_size) {
  std::string path = RestApiPath(rest_api_id) + "/resources";
  return Paginate<Resource>(
      "GetResources",
      [&](const std::string& position, std::vector<Resource>& out) -> Result<std::string> {
        std::vector<std::pair<std::string, std::string>> query = {
            {"limit", std::to_string(std::clamp(page_size, 1, 500))}};
        if (embed_methods) query.emplace_back("embed", "methods");
        if (!position.empty()) query.emplace_back("position", position);
        GS_ASSIGN_OR_RETURN(std::string body,
                            client_.CallRestJson("GetResources", "GET", path, query));
        GS_ASSIGN_OR_RETURN(ResourcesPage page, ParseResourcesPage(body));
        for (Resource& resource : page.items) out.push_back(std::move(resource));
        return page.position;
      });
}

Result<ApiGatewayAccount> ApiGatewayClient::GetAccount() {
  GS_ASSIGN_OR_RETURN(std::string body, client_.CallRestJson("GetAccount", "GET", "/account"));
  return ParseAccount(body);
}

Result<ApiGatewayAccount> ApiGatewayClient::UpdateAccountCloudWatchRole(std::string_view role_arn) {
  std::string patch = PatchOperationsJson(
      {{.op = "replace", .path = "/cloudwatchRoleArn", .value = std::string(role_arn)}});
  GS_ASSIGN_OR_RETURN(std::string body, client_.CallRestJson("UpdateAccount", "PATCH", "/account",
                                                             {}, std::move(patch)));
  return ParseAccount(body);
}

Result<Stage> ApiGatewayClient::UpdateStage(std::string_view rest_api_id,
                                            std::string_view stage_name,
                                            const std::vector<PatchOperation>& operations) {
  if (operations.empty()) {
    return InvalidArgumentError("apigateway:UpdateStage: no patch operations for stage " +
                                std::string(stage_name));
  }
  GS_ASSIGN_OR_RETURN(std::string body, client_.CallRestJson("UpdateStage", "PATCH",
                                                             RestApiPath(rest_api_id) + "/stages/" +
                                                                 env::UriEncode(stage_name),
                                                             {}, PatchOperationsJson(operations)));
  return ParseStage(body);
}

// ---------------------------------------------------------------------------------------------
// v2

std::string StageV2UpdateJson(const StageV2Update& update) {
  Json body = Json::object();
  if (update.access_log.has_value()) {
    body["accessLogSettings"] = {{"destinationArn", update.access_log->destination_arn},
                                 {"format", update.access_log->format}};
  }
  Json defaults = Json::object();
  if (update.logging_level.has_value()) {
    defaults["loggingLevel"] = std::string(LoggingLevelName(*update.logging_level));
  }
  if (update.data_trace_enabled.has_value()) {
    defaults["dataTraceEnabled"] = *update.data_trace_enabled;
  }
  if (update.detailed_metrics_enabled.has_value()) {
    defaults["detailedMetricsEnabled"] = *update.detailed_metrics_enabled;
  }
  if (!defaults.empty()) body["defaultRouteSettings"] = std::move(defaults);
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<ApisV2Page> ParseApisV2Page(std::string_view json) {
  return Guarded("GetApis", [&]() -> Result<ApisV2Page> {
    GS_ASSIGN_OR_RETURN(Json doc, ParseObject(json, "GetApis"));
    return ApisV2Page{.items = ReadList<ApiV2>(doc, "items",
                                               [](const Json& item) {
                                                 return ApiV2{
                                                     .id = Str(item, "apiId"),
                                                     .name = Str(item, "name"),
                                                     .protocol_type = Str(item, "protocolType"),
                                                     .api_endpoint = Str(item, "apiEndpoint"),
                                                     .created = Timestamp(item, "createdDate")};
                                               }),
                      .next_token = Str(doc, "nextToken")};
  });
}

Result<StagesV2Page> ParseStagesV2Page(std::string_view json) {
  return Guarded("GetStages", [&]() -> Result<StagesV2Page> {
    GS_ASSIGN_OR_RETURN(Json doc, ParseObject(json, "GetStages"));
    return StagesV2Page{.items = ReadList<StageV2>(doc, "items", ReadStageV2),
                        .next_token = Str(doc, "nextToken")};
  });
}

Result<StageV2> ParseStageV2(std::string_view json) {
  return Guarded("GetStage", [&]() -> Result<StageV2> {
    GS_ASSIGN_OR_RETURN(Json doc, ParseObject(json, "GetStage"));
    return ReadStageV2(doc);
  });
}

Result<RoutesV2Page> ParseRoutesV2Page(std::string_view json) {
  return Guarded("GetRoutes", [&]() -> Result<RoutesV2Page> {
    GS_ASSIGN_OR_RETURN(Json doc, ParseObject(json, "GetRoutes"));
    return RoutesV2Page{.items = ReadList<RouteV2>(
                            doc, "items",
                            [](const Json& item) {
                              return RouteV2{.id = Str(item, "routeId"),
                                             .route_key = Str(item, "routeKey"),
                                             .target = Str(item, "target"),
                                             .authorization_type = Str(item, "authorizationType")};
                            }),
                        .next_token = Str(doc, "nextToken")};
  });
}

Result<std::vector<ApiV2>> ApiGatewayV2Client::GetApis(int page_size) {
  return Paginate<ApiV2>(
      "GetApis", [&](const std::string& token, std::vector<ApiV2>& out) -> Result<std::string> {
        std::vector<std::pair<std::string, std::string>> query;
        if (page_size > 0) query.emplace_back("maxResults", std::to_string(page_size));
        if (!token.empty()) query.emplace_back("nextToken", token);
        GS_ASSIGN_OR_RETURN(std::string body,
                            client_.CallRestJson("GetApis", "GET", "/v2/apis", query));
        GS_ASSIGN_OR_RETURN(ApisV2Page page, ParseApisV2Page(body));
        for (ApiV2& api : page.items) out.push_back(std::move(api));
        return page.next_token;
      });
}

Result<std::vector<StageV2>> ApiGatewayV2Client::GetStages(std::string_view api_id) {
  std::string path = V2ApiPath(api_id) + "/stages";
  return Paginate<StageV2>(
      "GetStages", [&](const std::string& token, std::vector<StageV2>& out) -> Result<std::string> {
        std::vector<std::pair<std::string, std::string>> query;
        if (!token.empty()) query.emplace_back("nextToken", token);
        GS_ASSIGN_OR_RETURN(std::string body,
                            client_.CallRestJson("GetStages", "GET", path, query));
        GS_ASSIGN_OR_RETURN(StagesV2Page page, ParseStagesV2Page(body));
        for (StageV2& stage : page.items) out.push_back(std::move(stage));
        return page.next_token;
      });
}

Result<std::vector<RouteV2>> ApiGatewayV2Client::GetRoutes(std::string_view api_id) {
  std::string path = V2ApiPath(api_id) + "/routes";
  return Paginate<RouteV2>(
      "GetRoutes", [&](const std::string& token, std::vector<RouteV2>& out) -> Result<std::string> {
        std::vector<std::pair<std::string, std::string>> query;
        if (!token.empty()) query.emplace_back("nextToken", token);
        GS_ASSIGN_OR_RETURN(std::string body,
                            client_.CallRestJson("GetRoutes", "GET", path, query));
        GS_ASSIGN_OR_RETURN(RoutesV2Page page, ParseRoutesV2Page(body));
        for (RouteV2& route : page.items) out.push_back(std::move(route));
        return page.next_token;
      });
}

Result<StageV2> ApiGatewayV2Client::UpdateStage(std::string_view api_id,
                                                std::string_view stage_name,
                                                const StageV2Update& update) {
  // UriEncode turns "$default" into "%24default", as the stage name must travel in the path.
  GS_ASSIGN_OR_RETURN(std::string body, client_.CallRestJson("UpdateStage", "PATCH",
                                                             V2ApiPath(api_id) + "/stages/" +
                                                                 env::UriEncode(stage_name),
                                                             {}, StageV2UpdateJson(update)));
  return ParseStageV2(body);
}

Status ApiGatewayV2Client::DeleteAccessLogSettings(std::string_view api_id,
                                                   std::string_view stage_name) {
  Result<std::string> body = client_.CallRestJson(
      "DeleteAccessLogSettings", "DELETE",
      V2ApiPath(api_id) + "/stages/" + env::UriEncode(stage_name) + "/accesslogsettings");
  return body.status();
}

}  // namespace gatescope::aws
