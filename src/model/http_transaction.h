#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/field_list.h"

namespace gatescope::model {

// Which flavour of API Gateway API a transaction came from.
enum class ApiKind : uint8_t { kUnknown = 0, kRest, kHttp, kWebSocket };

std::string_view ApiKindName(ApiKind kind);  // "unknown", "rest", "http", "websocket".

// Where an endpoint's path template came from.
enum class TemplateSource : uint8_t {
  kConcrete = 0,  // No template was logged: the request path as received.
  kResourcePath,  // REST $context.resourcePath.
  kRouteKey,      // HTTP/WebSocket $context.routeKey.
  kPathParameters,  // Rebuilt from an execution log's concrete path and path-parameter map.
  kInferred,        // Inferred by gatescope from the concrete paths (under a greedy route).
};

std::string_view TemplateSourceName(TemplateSource source);  // "concrete", "resource_path", ...

// Which logs a transaction was built from.
enum class LogSource : uint8_t {
  kAccessLog = 0,  // One access-log line.
  kExecutionLog,   // Reassembled REST execution-log events.
  kJoined,         // Both, joined on the request id.
};
std::string_view LogSourceName(LogSource source);  // "access_log", "execution_log", "joined".

// What the logs could tell of a request's content.
enum class Coverage : uint8_t {
  kDiscoveryOnly = 0,  // Endpoint facts only: no bodies, or bodies the log truncated.
  kFull,               // Headers and bodies logged whole.
  kEndpointsOnly,      // The API kind logs no bodies at all (HTTP and WebSocket access logs).
};
std::string_view CoverageName(Coverage coverage);  // "discovery_only", "full", "endpoints_only".

// Why an execution-log transaction was closed before its last line was seen.
enum class PartialReason : uint8_t {
  kNone = 0,
  kIdle,        // No event for max_idle of log time and no "Method completed" line.
  kEvicted,     // The open-transaction cap was reached and this was the oldest.
  kEndOfInput,  // The input ended first.
  kNoStart,     // Completed, but the lines before the method's execution were missing.
};
inline constexpr size_t kPartialReasonCount = 5;
std::string_view PartialReasonName(PartialReason reason);  // "none", "idle", ...

// What went wrong, as far as the gateway logged it. A bounded set: these are metric labels.
enum class ErrorKind : uint8_t {
  kNone = 0,
  kThrottled,               // 429 from a usage-plan, method or account throttle.
  kUnauthorized,            // The authorizer denied the request.
  kForbidden,               // API key missing or invalid, or a policy denied it.
  kIntegrationTimeout,      // The integration did not answer in time.
  kLambdaFunctionError,     // The Lambda function failed (X-Amz-Function-Error, timeouts).
  kMalformedProxyResponse,  // A Lambda-proxy response API Gateway could not read.
  kConfigurationError,      // Any other "Execution failed due to configuration error".
  kExecutionFailed,         // Any other "Execution failed" line.
  kValidationFailed,        // Request validation against the method's model failed.
};
std::string_view ErrorKindName(ErrorKind kind);  // "none", "throttled", ...

// One API request as the gateway saw it, built from an access-log line, from a request's
// reassembled execution-log events, or from both joined. Missing values are empty strings or
// -1; masked values (authorizer principal, API key) stay as the gateway masked them.
//
// Parsers fill a caller-owned instance that is reused across lines: std::string members keep
// their capacity, so a steady stream of lines parses without allocating. Call Clear() first.
struct HttpTransaction {
  // Identity.
  std::string request_id;
  std::string extended_request_id;
  std::string api_id;
  std::string stage;
  std::string account_id;
  std::string domain_name;
  std::string region;  // From an execute-api domain name, when logged.
  ApiKind api_kind = ApiKind::kUnknown;

  // Request line. `path` is the concrete path without the stage prefix and without the query;
  // `query` is the raw query string when the log carries one.
  std::string method;
  std::string path;
  std::string query;
  std::string resource_path;  // REST template, e.g. "/pets/{petId}".
  std::string route_key;      // HTTP/WebSocket route, e.g. "GET /pets/{id}" or "$default".
  std::string protocol;
  bool resource_path_rebuilt = false;  // resource_path was rebuilt from the path parameters.

  // Content (execution logs only). Header names keep the case the client sent.
  FieldList path_params;
  FieldList query_params;
  FieldList request_headers;
  FieldList response_headers;
  Body request_body;
  Body response_body;

  // Integration (execution logs only).
  std::string integration_uri;
  std::string integration_request_id;  // The backend's request id (e.g. Lambda's).
  std::string xray_trace_id;

  // Authorization (execution logs only).
  std::string authorizer_id;
  std::string authorizer_principal;  // Masked by the gateway except its last characters.
  std::string api_key;               // Masked by the gateway; empty when none was sent.
  int8_t api_key_required = -1;      // 1, 0, or -1 when not logged.
  ErrorKind error_kind = ErrorKind::kNone;

  // Outcome.
  int32_t status = -1;
  int32_t integration_status = -1;
  int64_t response_length = -1;
  int64_t response_latency_ms = -1;
  int64_t integration_latency_ms = -1;
  std::string error_message;

  // Caller.
  std::string source_ip;
  std::string user_agent;
  std::string caller;
  std::string user;

  // WebSocket.
  std::string event_type;  // CONNECT, MESSAGE, DISCONNECT.
  std::string connection_id;

  // When: the logged request time if any, else the CloudWatch event time; -1 if neither.
  int64_t request_time_ms = -1;

  // Provenance and completeness.
  LogSource source = LogSource::kAccessLog;
  Coverage coverage = Coverage::kDiscoveryOnly;
  bool partial = false;  // Some of the request's execution-log events are missing.
  PartialReason partial_reason = PartialReason::kNone;
  // The request was already counted through its other log (a join that came too late to
  // merge): add what it tells, but do not count the request again.
  bool supplement = false;
  int64_t end_time_ms = -1;  // The last execution-log event's time.
  std::string log_group;
  std::string log_stream;
  std::string event_id;
  // How many log events this transaction was built from (1 for an access-log line; the lines
  // of a request, plus its access line when joined). The connector's delivery counters are in
  // events, so that received = delivered + filtered + dropped + spilled can be checked.
  uint32_t event_count = 0;
  // Stable id, set by the connector: the same events always give the same id (transform/
  // transaction_id.h), so a collector can drop replays. Empty until then.
  std::string id;

  void Clear();
};

// Every free-text string field of a transaction, except its id: what the connector shrinks
// when one transaction alone would overflow a batch (delivery/batcher.cc).
template <typename F>
void ForEachTextField(HttpTransaction& tx, F f) {
  for (std::string* s : {&tx.request_id,
                         &tx.extended_request_id,
                         &tx.api_id,
                         &tx.stage,
                         &tx.account_id,
                         &tx.domain_name,
                         &tx.region,
                         &tx.method,
                         &tx.path,
                         &tx.query,
                         &tx.resource_path,
                         &tx.route_key,
                         &tx.protocol,
                         &tx.integration_uri,
                         &tx.integration_request_id,
                         &tx.xray_trace_id,
                         &tx.authorizer_id,
                         &tx.authorizer_principal,
                         &tx.api_key,
                         &tx.error_message,
                         &tx.source_ip,
                         &tx.user_agent,
                         &tx.caller,
                         &tx.user,
                         &tx.event_type,
                         &tx.connection_id,
                         &tx.log_group,
                         &tx.log_stream,
                         &tx.event_id,
                         &tx.request_body.content_type,
                         &tx.response_body.content_type}) {
    f(*s);
  }
}

}  // namespace gatescope::model
