#include "model/http_transaction.h"

namespace gatescope::model {

std::string_view ApiKindName(ApiKind kind) {
  switch (kind) {
    case ApiKind::kRest: return "rest";
    case ApiKind::kHttp: return "http";
    case ApiKind::kWebSocket: return "websocket";
    case ApiKind::kUnknown: break;
  }
  return "unknown";
}

std::string_view TemplateSourceName(TemplateSource source) {
  switch (source) {
    case TemplateSource::kResourcePath: return "resource_path";
    case TemplateSource::kRouteKey: return "route_key";
    case TemplateSource::kPathParameters: return "path_parameters";
    case TemplateSource::kInferred: return "inferred";
    case TemplateSource::kConcrete: break;
  }
  return "concrete";
}

std::string_view LogSourceName(LogSource source) {
  switch (source) {
    case LogSource::kExecutionLog: return "execution_log";
    case LogSource::kJoined: return "joined";
    case LogSource::kAccessLog: break;
  }
  return "access_log";
}

std::string_view CoverageName(Coverage coverage) {
  switch (coverage) {
    case Coverage::kFull: return "full";
    case Coverage::kEndpointsOnly: return "endpoints_only";
    case Coverage::kDiscoveryOnly: break;
  }
  return "discovery_only";
}

std::string_view PartialReasonName(PartialReason reason) {
  static constexpr std::string_view kNames[kPartialReasonCount] = {"none", "idle", "evicted",
                                                                   "end_of_input", "no_start"};
  return kNames[static_cast<size_t>(reason)];
}

std::string_view ErrorKindName(ErrorKind kind) {
  static constexpr std::string_view kNames[] = {
      "none",          "throttled",           "unauthorized",           "forbidden",
      "integration_timeout", "lambda_function_error", "malformed_proxy_response",
      "configuration_error", "execution_failed",    "validation_failed"};
  return kNames[static_cast<size_t>(kind)];
}

const Field* FieldList::Find(std::string_view name) const {
  for (const Field& f : *this) {
    if (EqualsIgnoreCase(f.name, name)) return &f;
  }
  return nullptr;
}

void HttpTransaction::Clear() {
  // clear() keeps each string's capacity; that is the point of reusing the object. Written
  // out member by member: this runs once per line and a loop over pointers showed in profiles.
  request_id.clear();
  extended_request_id.clear();
  api_id.clear();
  stage.clear();
  account_id.clear();
  domain_name.clear();
  region.clear();
  method.clear();
  path.clear();
  query.clear();
  resource_path.clear();
  route_key.clear();
  protocol.clear();
  error_message.clear();
  source_ip.clear();
  user_agent.clear();
  caller.clear();
  user.clear();
  event_type.clear();
  connection_id.clear();
  log_group.clear();
  log_stream.clear();
  event_id.clear();
  resource_path_rebuilt = false;
  path_params.Clear();
  query_params.Clear();
  request_headers.Clear();
  response_headers.Clear();
  request_body.Clear();
  response_body.Clear();
  integration_uri.clear();
  integration_request_id.clear();
  xray_trace_id.clear();
  authorizer_id.clear();
  authorizer_principal.clear();
  api_key.clear();
  api_key_required = -1;
  error_kind = ErrorKind::kNone;
  source = LogSource::kAccessLog;
  coverage = Coverage::kDiscoveryOnly;
  partial = supplement = false;
  partial_reason = PartialReason::kNone;
  end_time_ms = -1;
  event_count = 0;
  id.clear();
  api_kind = ApiKind::kUnknown;
  status = integration_status = -1;
  response_length = response_latency_ms = integration_latency_ms = request_time_ms = -1;
}

}  // namespace gatescope::model
