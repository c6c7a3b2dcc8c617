#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/apigateway_client.h"
#include "core/result.h"
#include "core/status.h"

namespace gatescope::aws {

// Finds every REST, HTTP and WebSocket API of one region and reports, per stage, which logs it
// writes and where, so that the connector knows which log groups to read and which stages need
// logging turned on. Read-only: it calls only Get* operations.

enum class ApiProtocol { kRest, kHttp, kWebSocket };

// "rest", "http" or "websocket" (bounded; usable as a metric label or JSON value).
std::string_view ApiProtocolName(ApiProtocol protocol);

// The log group that receives a REST stage's execution logs, created and owned by API Gateway:
// "API-Gateway-Execution-Logs_{rest-api-id}/{stage}" (../shared/reference/apigw-logs.md §1.1; the
// Knowledge Center's "API-Gateway-Execution-Logs/..." spelling is wrong).
std::string ExecutionLogGroupName(std::string_view rest_api_id, std::string_view stage_name);

// The log-group name in a CloudWatch Logs log-group ARN,
// "arn:<partition>:logs:<region>:<account>:log-group:<name>" with an optional trailing ":*".
// nullopt for any other ARN (a Firehose stream, say) or a malformed one.
std::optional<std::string> LogGroupNameFromArn(std::string_view arn);

// What a stage must log for gatescope to rebuild its transactions.
struct LoggingRequirements {
  // Access logs (every protocol): the only source for HTTP APIs, and the one-line-per-request
  // record joined with REST execution logs.
  bool access_logging = true;
  // REST only: execution logging at INFO for "*/*". WebSocket execution logging is reported but
  // never required: gatescope has no parser for it and its log group name is unconfirmed
  // (../shared/reference/apigw-logs.md §7.3).
  bool execution_logging = true;
  // REST only: data trace as well ("log full requests/responses data"), without which the
  // execution logs leave out headers and bodies; exactly which lines go is unconfirmed
  // (../shared/reference/apigw-logs.md §7.1).
  bool data_trace = true;
};

// One stage and its logging state.
struct DiscoveredStage {
  std::string name;
  // Stage-wide execution logging: methodSettings["*/*"] (REST) or defaultRouteSettings
  // (WebSocket). "OFF", "ERROR", "INFO", or empty when unset (which means OFF); always empty for
  // HTTP APIs.
  std::string execution_logging_level;
  bool data_trace_enabled = false;
  // Empty when access logging is off.
  std::string access_log_destination_arn;
  // LogGroupNameFromArn(access_log_destination_arn); empty when off or not a log group.
  std::string access_log_group;
  std::string access_log_format;
  // REST only: ExecutionLogGroupName(); empty for HTTP and WebSocket.
  std::string execution_log_group;
  // What LoggingRequirements asks for and the stage lacks, from the bounded set
  // "access_logging", "execution_logging", "data_trace"; empty when nothing is missing.
  std::vector<std::string> missing;
  bool needs_enabling() const { return !missing.empty(); }
};

// One API and its stages.
struct DiscoveredApi {
  ApiProtocol protocol = ApiProtocol::kRest;
  std::string id;
  std::string name;
  std::vector<DiscoveredStage> stages;
  // Not ok when its stages could not be listed (access denied, say); `stages` is then empty.
  Status error;
};

// Everything found in one region.
struct RegionApis {
  std::string region;
  std::vector<DiscoveredApi> apis;  // REST APIs first, then v2 APIs, each in listing order.
  // Not ok when listing the REST (GetRestApis) or v2 (GetApis) APIs failed; the other family is
  // still reported.
  Status rest_error;
  Status v2_error;
};

// Lists the REST APIs through `rest` and the HTTP and WebSocket APIs through `v2` (clients of
// `region`), then each API's stages, and classifies each stage against `requirements`.
// An error on one API is recorded on that API (DiscoveredApi::error) and the others go on; an
// error listing one family is recorded in RegionApis. Returns the REST listing's error, with
// context, only when both listings fail, since then nothing at all was learnt (bad credentials,
// say). Makes 2 + (number of APIs) calls, sequentially.
Result<RegionApis> DiscoverApis(ApiGatewayClient& rest, ApiGatewayV2Client& v2,
                                std::string_view region,
                                const LoggingRequirements& requirements = {});

// The stage as discovery reports it (exposed for tests): REST stages.
DiscoveredStage DescribeRestStage(std::string_view rest_api_id, const Stage& stage,
                                  const LoggingRequirements& requirements);

// The stage as discovery reports it (exposed for tests): HTTP and WebSocket stages.
DiscoveredStage DescribeStageV2(ApiProtocol protocol, const StageV2& stage,
                                const LoggingRequirements& requirements);

}  // namespace gatescope::aws
