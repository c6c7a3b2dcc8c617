#include "model/transaction_json.h"

#include <nlohmann/json.hpp>

namespace gatescope::model {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kCredentialHeaders[] = {
    "authorization", "cookie", "proxy-authorization", "set-cookie", "x-amz-security-token",
    "x-api-key"};

void PutString(Json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

void PutNumber(Json& j, const char* key, int64_t value) {
  if (value >= 0) j[key] = value;
}

bool IsBase64UrlChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_';
}

// A JSON Web Token anywhere in the value: "eyJ" (base64url of '{"') starting three
// base64url segments joined by dots. Custom headers carry them in the clear.
bool ContainsJwt(std::string_view v) {
  for (size_t at = v.find("eyJ"); at != std::string_view::npos; at = v.find("eyJ", at + 3)) {
    size_t i = at;
    int segments = 0;
    while (segments < 3) {
      size_t start = i;
      while (i < v.size() && IsBase64UrlChar(v[i])) ++i;
      if (i - start < 4) break;
      ++segments;
      if (segments < 3 && (i >= v.size() || v[i] != '.')) break;
      ++i;
    }
    if (segments >= 2) return true;
  }
  return false;
}

Json Fields(const FieldList& fields, bool redact) {
  Json list = Json::array();
  for (const Field& f : fields) {
    Json e{{"name", f.name},
           {"value", redact && (IsCredentialHeader(f.name) || ContainsJwt(f.value))
                         ? std::string("[REDACTED]")
                         : f.value}};
    if (f.value_truncated) e["value_truncated"] = true;
    list.push_back(std::move(e));
  }
  Json out{{"entries", std::move(list)}};
  if (fields.truncated) out["truncated"] = true;
  return out;
}

void PutFields(Json& j, const char* key, const FieldList& fields, bool redact) {
  if (fields.logged || !fields.empty()) j[key] = Fields(fields, redact);
}

void PutBody(Json& j, const char* key, const Body& body) {
  if (!body.present) return;
  Json b{{"text", body.text}};
  if (!body.content_type.empty()) b["content_type"] = body.content_type;
  if (body.truncated) b["truncated"] = true;
  if (body.indicator) b["indicator"] = true;
  j[key] = std::move(b);
}

}  // namespace

bool IsCredentialHeader(std::string_view name) {
  for (std::string_view h : kCredentialHeaders) {
    if (EqualsIgnoreCase(h, name)) return true;
  }
  return false;
}

std::string TransactionToJson(const HttpTransaction& tx) {
  Json j;
  j["format"] = "gatescope.transaction/v1";
  j["source"] = LogSourceName(tx.source);
  PutString(j, "id", tx.id);
  PutString(j, "request_id", tx.request_id);
  PutString(j, "extended_request_id", tx.extended_request_id);
  PutString(j, "api_id", tx.api_id);
  PutString(j, "stage", tx.stage);
  j["api_kind"] = ApiKindName(tx.api_kind);
  PutString(j, "account_id", tx.account_id);
  PutString(j, "region", tx.region);
  PutString(j, "domain_name", tx.domain_name);
  PutString(j, "method", tx.method);
  PutString(j, "path", tx.path);
  PutString(j, "query", tx.query);
  PutString(j, "resource_path", tx.resource_path);
  if (tx.resource_path_rebuilt) j["resource_path_rebuilt"] = true;
  PutString(j, "route_key", tx.route_key);
  PutString(j, "protocol", tx.protocol);
  PutFields(j, "path_parameters", tx.path_params, false);
  PutFields(j, "query_parameters", tx.query_params, false);
  PutFields(j, "request_headers", tx.request_headers, true);
  PutBody(j, "request_body", tx.request_body);
  PutNumber(j, "status", tx.status);
  PutFields(j, "response_headers", tx.response_headers, true);
  PutBody(j, "response_body", tx.response_body);
  PutNumber(j, "response_length", tx.response_length);
  PutNumber(j, "response_latency_ms", tx.response_latency_ms);
  PutString(j, "integration_uri", tx.integration_uri);
  PutNumber(j, "integration_status", tx.integration_status);
  PutNumber(j, "integration_latency_ms", tx.integration_latency_ms);
  PutString(j, "integration_request_id", tx.integration_request_id);
  PutString(j, "xray_trace_id", tx.xray_trace_id);
  PutString(j, "authorizer_id", tx.authorizer_id);
  PutString(j, "authorizer_principal", tx.authorizer_principal);
  PutString(j, "api_key", tx.api_key);
  if (tx.api_key_required >= 0) j["api_key_required"] = tx.api_key_required == 1;
  if (tx.error_kind != ErrorKind::kNone) j["error_kind"] = ErrorKindName(tx.error_kind);
  PutString(j, "error_message", tx.error_message);
  PutString(j, "source_ip", tx.source_ip);
  PutString(j, "user_agent", tx.user_agent);
  PutString(j, "caller", tx.caller);
  PutString(j, "user", tx.user);
  PutString(j, "event_type", tx.event_type);
  PutString(j, "connection_id", tx.connection_id);
  PutNumber(j, "request_time_ms", tx.request_time_ms);
  PutNumber(j, "end_time_ms", tx.end_time_ms);
  j["coverage"] = CoverageName(tx.coverage);
  if (tx.partial) j["partial"] = PartialReasonName(tx.partial_reason);
  if (tx.supplement) j["supplement"] = true;
  PutString(j, "log_group", tx.log_group);
  PutString(j, "log_stream", tx.log_stream);
  PutString(j, "event_id", tx.event_id);
  if (tx.event_count > 0) j["event_count"] = tx.event_count;
  // Log text is not always valid UTF-8: replace invalid bytes rather than fail.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace gatescope::model
