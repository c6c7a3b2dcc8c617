#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gatescope::model {

// Which flavour of API Gateway API a transaction came from.
enum class ApiKind : uint8_t { kUnknown = 0, kRest, kHttp, kWebSocket };

std::string_view ApiKindName(ApiKind kind);  // "unknown", "rest", "http", "websocket".

// Where an endpoint's path template came from.
enum class TemplateSource : uint8_t {
  kConcrete = 0,  // No template was logged: the request path as received.
  kResourcePath,  // REST $context.resourcePath.
  kRouteKey,      // HTTP/WebSocket $context.routeKey.
};

std::string_view TemplateSourceName(TemplateSource source);  // "concrete", "resource_path", ...

// One API request as the gateway saw it, built from an access-log line (and, later, from
// reassembled execution logs). Missing values are empty strings or -1.
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

  // Provenance.
  std::string log_group;
  std::string log_stream;
  std::string event_id;

  void Clear();
};

}  // namespace gatescope::model
