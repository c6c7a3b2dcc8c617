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
  // clear() keeps each string's capacity; that is the point of reusing the object.
  for (std::string* s : {&request_id, &extended_request_id, &api_id, &stage, &account_id,
                         &domain_name, &region, &method, &path, &query, &resource_path, &route_key,
                         &protocol, &error_message, &source_ip, &user_agent, &caller, &user,
                         &event_type, &connection_id, &log_group, &log_stream, &event_id}) {
    s->clear();
  }
  api_kind = ApiKind::kUnknown;
  status = integration_status = -1;
  response_length = response_latency_ms = integration_latency_ms = request_time_ms = -1;
}

}  // namespace gatescope::model
