#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"
#include "core/result.h"
#include "core/status.h"

namespace gatescope::aws {

// Typed clients for the API Gateway management APIs that find APIs and turn their logging on:
// REST APIs (`apigateway` 2015-07-09, paths /restapis/...) and HTTP/WebSocket APIs
// (`apigatewayv2` 2018-11-29, paths /v2/apis/...). Wire shapes follow the botocore models
// (../shared/reference/apigw-logs.md §6). The Parse* functions are the clients' response readers,
// public so that tests and fuzz/apigateway_fuzz.cc can feed them bytes directly; they never
// throw and never keep a reference to their input.

// Execution-log level of a REST stage or a WebSocket route: the wire values OFF, ERROR, INFO.
enum class LoggingLevel { kOff, kError, kInfo };

// "OFF", "ERROR" or "INFO".
std::string_view LoggingLevelName(LoggingLevel level);

// The access-log settings of a stage, as stored by API Gateway (v1 and v2 alike).
struct AccessLogSettings {
  // CloudWatch Logs group ARN ("arn:aws:logs:<region>:<acct>:log-group:<name>", sometimes with a
  // trailing ":*") or a Firehose stream ARN (REST only).
  std::string destination_arn;
  std::string format;  // The $context template; may be empty.
};

// ---------------------------------------------------------------------------------------------
// REST APIs (v1)

// One REST API (botocore RestApi), reduced to what discovery needs.
struct RestApi {
  std::string id;
  std::string name;
  std::string description;
  std::vector<std::string> endpoint_types;  // "EDGE", "REGIONAL", "PRIVATE".
  // createdDate; the epoch (zero) when absent.
  std::chrono::system_clock::time_point created{};
};

// One page of GET /restapis: `{"item":[...], "position":"..."}`.
struct RestApisPage {
  std::vector<RestApi> items;
  std::string position;  // Empty on the last page.
};

// The logging- and metrics-related part of one methodSettings entry.
struct MethodSetting {
  std::string logging_level;  // "OFF", "ERROR", "INFO"; empty when API Gateway omits it (= OFF).
  bool data_trace_enabled = false;
  bool metrics_enabled = false;
};

// The methodSettings key for every method of a stage.
inline constexpr std::string_view kAllMethods = "*/*";

// One stage of a REST API (botocore Stage).
struct Stage {
  std::string name;
  std::string deployment_id;
  // Keyed as API Gateway stores them: "*/*" for the stage-wide default, and for a per-method
  // override the JSON-pointer-escaped resource path and the method ("~1pets~1{id}/GET"); see
  // MethodSettingsKey().
  std::map<std::string, MethodSetting> method_settings;
  std::optional<AccessLogSettings> access_log;  // nullopt: access logging is off.
  bool tracing_enabled = false;
};

// One method of a resource, with its integration when the listing embedded it.
struct ResourceMethod {
  std::string http_method;         // "GET", ..., "ANY".
  std::string authorization_type;  // "NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS".
  std::string integration_type;    // "HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"; or empty.
  std::string integration_uri;
};

// One resource (path template) of a REST API.
struct Resource {
  std::string id;
  std::string parent_id;  // Empty for the root resource.
  std::string path;       // "/pets/{id}".
  std::string path_part;  // "{id}".
  // By HTTP method.
  std::map<std::string, ResourceMethod> methods;
};

// One page of GET /restapis/{id}/resources.
struct ResourcesPage {
  std::vector<Resource> items;
  std::string position;  // Empty on the last page.
};

// The API Gateway account settings of one region (GET /account).
struct ApiGatewayAccount {
  // The role API Gateway uses to write execution and REST access logs; empty when unset, and
  // then enabling REST logging fails with BadRequestException.
  std::string cloudwatch_role_arn;
  int64_t throttle_burst_limit = 0;
  double throttle_rate_limit = 0;
  std::vector<std::string> features;
};

// One JSON-Patch operation of UpdateStage / UpdateAccount. API Gateway carries every value as a
// string ("true", "INFO").
struct PatchOperation {
  std::string op;  // "replace", "add", "remove", ...
  std::string path;
  std::string value;  // Omitted from the JSON when empty and op is "remove".
};

// Escapes one JSON-pointer reference token (RFC 6901): '~' -> "~0", '/' -> "~1".
std::string EscapeJsonPointer(std::string_view token);

// The methodSettings key (and patch-path stem) of one method: MethodSettingsKey("/pets/{id}",
// "GET") is "~1pets~1{id}/GET". The pair ("*", "*") gives kAllMethods.
std::string MethodSettingsKey(std::string_view resource_path, std::string_view http_method);

// Patch operations that set execution logging of `method_key` (kAllMethods or a
// MethodSettingsKey()): "/<key>/logging/loglevel" and "/<key>/logging/dataTrace".
std::vector<PatchOperation> ExecutionLoggingPatch(LoggingLevel level, bool data_trace,
                                                  std::string_view method_key = kAllMethods);

// The operation that turns CloudWatch metrics of `method_key` on or off.
std::vector<PatchOperation> MetricsPatch(bool enabled, std::string_view method_key = kAllMethods);

// Operations that send access logs to `destination_arn` (a log-group ARN without ":*") in
// `format`.
std::vector<PatchOperation> AccessLogPatch(std::string_view destination_arn,
                                           std::string_view format);

// The operation that turns access logging off ("remove /accessLogSettings").
std::vector<PatchOperation> RemoveAccessLogPatch();

// `{"patchOperations":[...]}`, the body of UpdateStage and UpdateAccount.
std::string PatchOperationsJson(const std::vector<PatchOperation>& operations);

// Readers of the v1 response bodies. kParseError when `json` is not JSON or not an object; a
// member of an unexpected type is treated as absent, so that a new or odd field never loses the
// whole page.
Result<RestApisPage> ParseRestApisPage(std::string_view json);
Result<std::vector<Stage>> ParseStages(std::string_view json);  // GetStages: {"item":[...]}.
Result<Stage> ParseStage(std::string_view json);                // GetStage, UpdateStage.
Result<ResourcesPage> ParseResourcesPage(std::string_view json);
Result<ApiGatewayAccount> ParseAccount(std::string_view json);

// The REST API (v1) management calls of one region.
//
// Thread-safety: as thread-safe as the borrowed AwsServiceClient (which is), since the client
// keeps no other state. `client` must be built with kApiGateway and outlive this object.
//
// Errors are AwsServiceClient's: every failing call returns a Status naming
// "apigateway:<Action>" (GetRestApis, GetStages, GetStage, GetResources, GetAccount,
// UpdateAccount, UpdateStage); unknown ids are kNotFound, missing permissions kPermissionDenied,
// invalid patches kInvalidArgument, and exhausted retries kResourceExhausted or kUnavailable.
// A response that is not the expected JSON is kParseError.
class ApiGatewayClient {
 public:
  explicit ApiGatewayClient(AwsServiceClient& client) : client_(client) {}

  // Every REST API of the region, following `position` until it is absent. `page_size` is the
  // `limit` query parameter, clamped to 1..500.
  Result<std::vector<RestApi>> GetRestApis(int page_size = 500);

  // The stages of one REST API (a single, unpaginated response).
  Result<std::vector<Stage>> GetStages(std::string_view rest_api_id);

  // One stage.
  Result<Stage> GetStage(std::string_view rest_api_id, std::string_view stage_name);

  // Every resource of one REST API, following `position` (`page_size` as for GetRestApis);
  // with `embed_methods` each resource carries its methods and their integrations
  // (embed=methods).
  Result<std::vector<Resource>> GetResources(std::string_view rest_api_id,
                                             bool embed_methods = true, int page_size = 500);

  // The account settings of the region.
  Result<ApiGatewayAccount> GetAccount();

  // Sets the account's CloudWatch Logs role ("arn:aws:iam::<acct>:role/<name>"), which must
  // trust apigateway.amazonaws.com. Returns the updated settings.
  Result<ApiGatewayAccount> UpdateAccountCloudWatchRole(std::string_view role_arn);

  // Applies `operations` (see the *Patch() helpers) to a stage and returns the stage as it is
  // now. No redeployment is needed for logging settings. kInvalidArgument when `operations` is
  // empty.
  Result<Stage> UpdateStage(std::string_view rest_api_id, std::string_view stage_name,
                            const std::vector<PatchOperation>& operations);

 private:
  AwsServiceClient& client_;
};

// ---------------------------------------------------------------------------------------------
// HTTP and WebSocket APIs (v2)

// One HTTP or WebSocket API (botocore apigatewayv2 Api).
struct ApiV2 {
  std::string id;
  std::string name;
  std::string protocol_type;  // "HTTP" or "WEBSOCKET".
  std::string api_endpoint;   // "https://<id>.execute-api.<region>.amazonaws.com".
  std::chrono::system_clock::time_point created{};  // The epoch when absent.
};

// One page of GET /v2/apis: `{"items":[...], "nextToken":"..."}`.
struct ApisV2Page {
  std::vector<ApiV2> items;
  std::string next_token;  // Empty on the last page.
};

// Route settings of a v2 stage. logging_level and data_trace_enabled apply to WebSocket APIs
// only.
struct RouteSettingsV2 {
  std::string logging_level;  // "OFF", "ERROR", "INFO"; empty when absent.
  bool data_trace_enabled = false;
  bool detailed_metrics_enabled = false;
};

// One stage of an HTTP or WebSocket API.
struct StageV2 {
  std::string name;  // May be "$default".
  // nullopt: access logging is off.
  std::optional<AccessLogSettings> access_log;
  RouteSettingsV2 default_route_settings;
  std::map<std::string, RouteSettingsV2> route_settings;  // By route key.
  bool auto_deploy = false;
  bool api_gateway_managed = false;  // Quick-create $default stage.
};

// One page of GET /v2/apis/{id}/stages.
struct StagesV2Page {
  std::vector<StageV2> items;
  std::string next_token;
};

// One route of an HTTP or WebSocket API.
struct RouteV2 {
  std::string id;
  std::string route_key;  // "GET /pets/{id}", "$default", "$connect", ...
  std::string target;     // "integrations/<id>", or empty.
  std::string authorization_type;
};

// One page of GET /v2/apis/{id}/routes.
struct RoutesV2Page {
  std::vector<RouteV2> items;
  std::string next_token;
};

// The settings UpdateStage (v2) changes; unset members are left as they are. v2 takes a plain
// JSON body, not patch operations.
struct StageV2Update {
  std::optional<AccessLogSettings> access_log;
  // WebSocket only: defaultRouteSettings.loggingLevel / dataTraceEnabled.
  std::optional<LoggingLevel> logging_level;
  std::optional<bool> data_trace_enabled;
  std::optional<bool> detailed_metrics_enabled;
};

// The UpdateStage (v2) body: {"accessLogSettings":{...},"defaultRouteSettings":{...}}.
std::string StageV2UpdateJson(const StageV2Update& update);

// Readers of the v2 response bodies; error behaviour as for the v1 readers.
Result<ApisV2Page> ParseApisV2Page(std::string_view json);
Result<StagesV2Page> ParseStagesV2Page(std::string_view json);
Result<StageV2> ParseStageV2(std::string_view json);
Result<RoutesV2Page> ParseRoutesV2Page(std::string_view json);

// The HTTP/WebSocket API (v2) management calls of one region.
//
// Thread-safety and errors as ApiGatewayClient (actions GetApis, GetStages, GetRoutes,
// UpdateStage, DeleteAccessLogSettings). `client` must be built with kApiGatewayV2 and outlive
// this object. Stage names are percent-encoded in paths, so "$default" travels as "%24default".
class ApiGatewayV2Client {
 public:
  explicit ApiGatewayV2Client(AwsServiceClient& client) : client_(client) {}

  // Every HTTP and WebSocket API of the region, following `nextToken`. `page_size` is
  // `maxResults`; 0 leaves the service default.
  Result<std::vector<ApiV2>> GetApis(int page_size = 0);

  // Every stage of one API, following `nextToken`.
  Result<std::vector<StageV2>> GetStages(std::string_view api_id);

  // Every route of one API, following `nextToken`.
  Result<std::vector<RouteV2>> GetRoutes(std::string_view api_id);

  // Changes the stage's access-log and default route settings; returns the stage as it is now.
  // A quick-created $default stage may refuse changes (kInvalidArgument).
  Result<StageV2> UpdateStage(std::string_view api_id, std::string_view stage_name,
                              const StageV2Update& update);

  // Turns access logging of the stage off (DELETE .../accesslogsettings).
  Status DeleteAccessLogSettings(std::string_view api_id, std::string_view stage_name);

 private:
  AwsServiceClient& client_;
};

}  // namespace gatescope::aws
