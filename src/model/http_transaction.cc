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
    case TemplateSource::kConcrete: break;
  }
  return "concrete";
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
  api_kind = ApiKind::kUnknown;
  status = integration_status = -1;
  response_length = response_latency_ms = integration_latency_ms = request_time_ms = -1;
}

}  // namespace gatescope::model
