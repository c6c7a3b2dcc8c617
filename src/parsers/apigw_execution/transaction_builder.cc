#include "parsers/apigw_execution/transaction_builder.h"

#include <algorithm>
#include <vector>

#include "core/ascii.h"
#include "parsers/apigw_execution/java_map.h"
#include "core/json_prefix.h"
#include "parsers/common/api_identity.h"

namespace gatescope::parsers::apigw_execution {
namespace {

using model::ErrorKind;
using model::FieldList;
using model::HttpTransaction;

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// "application/json;charset=utf-8" -> "application/json".
void AssignMediaType(std::string_view header_value, std::string* out) {
  std::string_view v = TrimAsciiSpace(header_value.substr(0, header_value.find(';')));
  out->clear();
  for (char c : v) out->push_back(AsciiLower(c));
}

// A body's media type when no Content-Type header says it: only what the first byte makes
// certain enough for discovery.
std::string_view SniffMediaType(std::string_view body) {
  body = TrimAsciiSpace(body);
  if (body.empty()) return {};
  if (body.front() == '{' || body.front() == '[') return "application/json";
  if (body.front() == '<') return "application/xml";
  return "text/plain";
}

// "arn:{partition}:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{resource...}".
struct ExecuteApiArn {
  std::string_view region, account, api_id, stage, method, resource_tail;
};

bool ParseExecuteApiArn(std::string_view arn, ExecuteApiArn* out) {
  std::string_view parts[6];
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return false;
    parts[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  parts[5] = arn;
  if (parts[0] != "arn" || parts[2] != "execute-api") return false;
  std::string_view resource = parts[5];
  size_t s1 = resource.find('/');
  if (s1 == std::string_view::npos) return false;
  size_t s2 = resource.find('/', s1 + 1);
  if (s2 == std::string_view::npos) return false;
  out->region = parts[3];
  out->account = parts[4];
  out->api_id = resource.substr(0, s1);
  out->stage = resource.substr(s1 + 1, s2 - s1 - 1);
  if (out->stage == "authorizers") return false;  // ".../{api}/authorizers/{id}".
  size_t s3 = resource.find('/', s2 + 1);
  out->method = resource.substr(s2 + 1, s3 == std::string_view::npos ? std::string_view::npos
                                                                     : s3 - s2 - 1);
  out->resource_tail = s3 == std::string_view::npos ? std::string_view() : resource.substr(s3 + 1);
  return !out->api_id.empty() && !out->method.empty();
}

// What a JSON body of the execution log says: a Lambda-proxy request event, an authorizer
// request, or a Lambda-proxy response.
enum class JsonRole { kRequestEvent, kAuthorizerRequest, kProxyResponse };

class ProxyJson final : public JsonPrefixVisitor {
 public:
  // `want_body`: copy the "body" string (the costliest part) only when it will be used.
  void Scan(JsonRole role, std::string_view text, bool want_body = true) {
    role_ = role;
    want_body_ = want_body;
    headers.Clear();
    multi_headers.Clear();
    query.Clear();
    multi_query.Clear();
    path_params.Clear();
    headers_complete = multi_headers_complete = query_complete = multi_query_complete =
        path_params_complete = body_complete = has_body = is_proxy_event = base64 = false;
    resource.clear();
    path.clear();
    http_method.clear();
    body.clear();
    source_ip.clear();
    user_agent.clear();
    method_arn.clear();
    status_code = -1;
    keys_seen_ = 0;
    text = TrimAsciiSpace(text);
    if (text.empty() || text.front() != '{') return;
    ScanJsonPrefix(text, *this);
    // A Lambda-proxy event names the method and carries the request context or resource.
    is_proxy_event = (keys_seen_ & kHttpMethodKey) && (keys_seen_ & (kResourceKey | kContextKey));
  }

  bool WantKey(std::span<const std::string_view> p, std::string_view key) override {
    if (p.empty()) {
      if (key == "httpMethod") keys_seen_ |= kHttpMethodKey;
      if (key == "resource") keys_seen_ |= kResourceKey;
      if (key == "requestContext") keys_seen_ |= kContextKey;
      // Only what the builder reads: copying the rest would cost more than all else.
      return key == "resource" || key == "path" || key == "httpMethod" || key == "headers" ||
             key == "multiValueHeaders" || key == "queryStringParameters" ||
             key == "multiValueQueryStringParameters" || key == "pathParameters" ||
             (key == "body" && want_body_) || key == "isBase64Encoded" || key == "requestContext" ||
             key == "statusCode" || key == "methodArn";
    }
    if (p[0] != "requestContext") return true;
    if (p.size() == 1) return key == "identity" || key == "resourcePath";
    if (p.size() == 2) return p[1] == "identity" && (key == "sourceIp" || key == "userAgent");
    return false;
  }

  void OnString(std::span<const std::string_view> p, std::string_view v, bool complete) override {
    if (p.size() == 1) {
      std::string_view k = p[0];
      if (k == "resource" && complete) resource.assign(v);
      else if (k == "path" && complete) path.assign(v);
      else if (k == "httpMethod" && complete) http_method.assign(v);
      else if (k == "methodArn" && complete) method_arn.assign(v);
      else if (k == "statusCode" && complete) status_code = static_cast<int>(LeadingInteger(v));
      else if (k == "body") {
        body.assign(v);
        body_complete = complete;
        has_body = true;
      }
    } else if (p.size() == 2) {
      FieldList* list = ListFor(p[0]);
      if (list != nullptr && list != &multi_headers && list != &multi_query) {
        list->Add(p[1], v, !complete);
      } else if (p[0] == "requestContext" && p[1] == "resourcePath" && complete &&
                 resource.empty()) {
        resource.assign(v);
      }
    } else if (p.size() == 3 && p[2] == "[]") {
      FieldList* list = ListFor(p[0]);
      if (list == &multi_headers || list == &multi_query) {
        // Several values of one name are joined the way the Java maps show them.
        if (!list->empty() && (*list)[list->size() - 1].name == p[1]) {
          model::Field& f = (*list)[list->size() - 1];
          f.value.append(", ").append(v);
          f.value_truncated = !complete;
        } else {
          list->Add(p[1], v, !complete);
        }
      }
    }
    if (p.size() == 3 && p[0] == "requestContext" && p[1] == "identity" && complete) {
      if (p[2] == "sourceIp") source_ip.assign(v);
      if (p[2] == "userAgent") user_agent.assign(v);
    }
  }

  void OnScalar(std::span<const std::string_view> p, std::string_view raw) override {
    if (p.size() != 1) return;
    if (p[0] == "statusCode") status_code = static_cast<int>(LeadingInteger(raw));
    if (p[0] == "isBase64Encoded") base64 = raw == "true";
    if (raw == "null") SetComplete(p[0], true);  // "queryStringParameters": null is empty.
  }

  void OnContainerEnd(std::span<const std::string_view> p, bool complete) override {
    if (p.size() == 1) SetComplete(p[0], complete);
  }

  FieldList headers, multi_headers, query, multi_query, path_params;
  bool headers_complete = false, multi_headers_complete = false, query_complete = false,
       multi_query_complete = false, path_params_complete = false;
  std::string resource, path, http_method, body, source_ip, user_agent, method_arn;
  bool has_body = false, body_complete = false, base64 = false, is_proxy_event = false;
  int status_code = -1;

 private:
  static constexpr unsigned kHttpMethodKey = 1, kResourceKey = 2, kContextKey = 4;

  FieldList* ListFor(std::string_view key) {
    if (key == "headers") return &headers;
    if (key == "multiValueHeaders") return &multi_headers;
    if (role_ != JsonRole::kRequestEvent) return nullptr;
    if (key == "queryStringParameters") return &query;
    if (key == "multiValueQueryStringParameters") return &multi_query;
    if (key == "pathParameters") return &path_params;
    return nullptr;
  }

  void SetComplete(std::string_view key, bool complete) {
    if (key == "headers") headers_complete = complete;
    else if (key == "multiValueHeaders") multi_headers_complete = complete;
    else if (key == "queryStringParameters") query_complete = complete;
    else if (key == "multiValueQueryStringParameters") multi_query_complete = complete;
    else if (key == "pathParameters") path_params_complete = complete;
  }

  JsonRole role_ = JsonRole::kRequestEvent;
  bool want_body_ = true;
  unsigned keys_seen_ = 0;
};

void CopyFields(const FieldList& from, FieldList* to) {
  to->Clear();
  to->logged = true;
  for (const model::Field& f : from) to->Add(f.name, f.value, f.value_truncated);
}

// Replaces `*target` with the first complete JSON list, if any: the JSON form has exact
// boundaries where the Java map can only guess them. Otherwise, when the map was cut, adds
// the names the cut JSON still shows whole.
void PreferCompleteJson(const FieldList& multi, bool multi_complete, const FieldList& single,
                        bool single_complete, FieldList* target) {
  if (multi_complete) {
    CopyFields(multi, target);
  } else if (single_complete) {
    CopyFields(single, target);
  } else if (!target->logged || target->truncated) {
    for (const FieldList* from : {&single, &multi}) {
      for (const model::Field& f : *from) {
        if (!f.value_truncated && target->Find(f.name) == nullptr) target->Add(f.name, f.value);
      }
    }
  }
}

// Sets the error unless a more specific one was already logged.
void SetError(ErrorKind kind, HttpTransaction* tx) {
  if (tx->error_kind == ErrorKind::kNone || tx->error_kind == ErrorKind::kExecutionFailed) {
    tx->error_kind = kind;
  }
}

ErrorKind ClassifyExecutionFailure(std::string_view cause) {
  if (Contains(cause, "Malformed Lambda proxy response")) return ErrorKind::kMalformedProxyResponse;
  if (Contains(cause, "timeout") || Contains(cause, "timed out")) {
    return ErrorKind::kIntegrationTimeout;
  }
  if (Contains(cause, "configuration error")) return ErrorKind::kConfigurationError;
  return ErrorKind::kExecutionFailed;
}

// Gateway response types (AGDG "supported response types") to error kinds.
ErrorKind ClassifyGatewayResponse(std::string_view type) {
  if (type == "THROTTLED" || type == "QUOTA_EXCEEDED") return ErrorKind::kThrottled;
  if (type == "UNAUTHORIZED" || type == "EXPIRED_TOKEN" || type == "INVALID_SIGNATURE") {
    return ErrorKind::kUnauthorized;
  }
  if (type == "ACCESS_DENIED" || type == "INVALID_API_KEY" ||
      type == "MISSING_AUTHENTICATION_TOKEN" || type == "WAF_FILTERED") {
    return ErrorKind::kForbidden;
  }
  if (type == "INTEGRATION_TIMEOUT") return ErrorKind::kIntegrationTimeout;
  if (type == "BAD_REQUEST_BODY" || type == "BAD_REQUEST_PARAMETERS") {
    return ErrorKind::kValidationFailed;
  }
  if (type == "AUTHORIZER_CONFIGURATION_ERROR" || type == "AUTHORIZER_FAILURE") {
    return ErrorKind::kConfigurationError;
  }
  return ErrorKind::kExecutionFailed;
}

void SetBody(const TimedLine& t, model::Body* body) {
  body->present = true;
  body->truncated = t.line.truncated;
  // The 2016 format printed an absent body as "null".
  std::string_view v = t.line.value;
  if (v == "null" && !t.line.truncated) v = {};
  body->text.assign(v);
}

void SetContentType(const FieldList& headers, const FieldList* fallback, model::Body* body) {
  if (!body->present || body->text.empty()) return;
  const model::Field* ct = headers.Find("Content-Type");
  if (ct == nullptr && fallback != nullptr) ct = fallback->Find("Content-Type");
  if (ct != nullptr && !ct->value_truncated) {
    AssignMediaType(ct->value, &body->content_type);
  } else {
    body->content_type.assign(SniffMediaType(body->text));
  }
}

// A Lambda-proxy event starts with its "resource" key, or names "httpMethod" early.
bool LooksLikeProxyEvent(std::string_view body) {
  body = TrimAsciiSpace(body);
  if (body.empty() || body.front() != '{') return false;
  return body.substr(0, 13) == "{\"resource\":\"" ||
         body.substr(0, 400).find("\"httpMethod\":") != std::string_view::npos;
}

bool IsLambdaUri(std::string_view uri) {
  return Contains(uri, "lambda") && Contains(uri, "/functions/");
}

}  // namespace

bool RebuildResourcePath(std::string_view path, const FieldList& params, std::string* out) {
  if (path.empty() || path.front() != '/') return false;
  if (params.empty() && !params.truncated) {
    out->assign(path);
    return true;
  }
  if (params.truncated) return false;
  // Segments of the path, with the parameter that claimed each, if any.
  std::vector<std::pair<std::string_view, const model::Field*>> segments;
  for (size_t pos = 1; pos <= path.size();) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    segments.emplace_back(path.substr(pos, end - pos), nullptr);
    pos = end + 1;
  }
  size_t greedy_from = segments.size();
  const model::Field* greedy = nullptr;
  for (const model::Field& p : params) {
    if (p.value.empty() || p.value_truncated) return false;
    if (p.value.find('/') != std::string::npos) {
      // A greedy variable takes the path's tail: "{proxy=a/b}" for "/x/a/b".
      if (greedy != nullptr || path.size() <= p.value.size() ||
          path.substr(path.size() - p.value.size()) != p.value ||
          path[path.size() - p.value.size() - 1] != '/') {
        return false;
      }
      greedy = &p;
      size_t slashes = static_cast<size_t>(std::count(p.value.begin(), p.value.end(), '/'));
      greedy_from = segments.size() - slashes - 1;
      continue;
    }
    bool placed = false;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (segments[i].second == nullptr && segments[i].first == p.value) {
        segments[i].second = &p;
        placed = true;
        break;
      }
    }
    if (!placed) return false;
  }
  std::string rebuilt;
  for (size_t i = 0; i < segments.size(); ++i) {
    rebuilt += '/';
    if (i >= greedy_from) {
      rebuilt.append("{").append(greedy->name).append("+}");
      break;
    }
    if (segments[i].second != nullptr) {
      rebuilt.append("{").append(segments[i].second->name).append("}");
    } else {
      rebuilt.append(segments[i].first);
    }
  }
  *out = std::move(rebuilt);
  return true;
}

struct TransactionBuilder::Impl {
  ProxyJson request_json, response_json, authorizer_json;
  FieldList scratch;

  void Build(std::span<const TimedLine> lines, const RequestContext& context,
             HttpTransaction* tx);
};

TransactionBuilder::TransactionBuilder() : impl_(std::make_unique<Impl>()) {}
TransactionBuilder::~TransactionBuilder() = default;

void TransactionBuilder::Build(std::span<const TimedLine> lines, const RequestContext& context,
                               HttpTransaction* tx) {
  impl_->Build(lines, context, tx);
}

void TransactionBuilder::Impl::Build(std::span<const TimedLine> lines,
                                     const RequestContext& context, HttpTransaction* tx) {
  tx->Clear();
  tx->source = model::LogSource::kExecutionLog;
  tx->api_kind = model::ApiKind::kRest;
  tx->request_id.assign(context.request_id);
  tx->log_group.assign(context.log_group);
  tx->log_stream.assign(context.log_stream);
  tx->event_id.assign(context.event_id);

  bool in_authorizer = false, completed = false, started = false, saw_beginning = false;
  bool ended_early = false;  // Throttled, unauthorized or refused before the method ran.
  bool has_authorizer_request = false;
  const TimedLine* request_event = nullptr;  // Scanned below, only if needed.
  std::string_view plan_template, fallback_method;
  const TimedLine* method_response_body = nullptr;
  const TimedLine* method_response_headers = nullptr;
  const TimedLine* endpoint_response_body = nullptr;
  const TimedLine* endpoint_response_headers = nullptr;
  const TimedLine* gateway_body = nullptr;
  const TimedLine* gateway_headers = nullptr;
  int64_t first_ts = -1, last_ts = -1, completed_ts = -1;
  bool have_arn = false;
  std::string arn_resource;  // The resource in X-Amz-Source-Arn, without its leading '/'.

  for (const TimedLine& t : lines) {
    const ExecutionLine& l = t.line;
    if (t.timestamp_ms >= 0) {
      if (first_ts < 0 || t.timestamp_ms < first_ts) first_ts = t.timestamp_ms;
      last_ts = std::max(last_ts, t.timestamp_ms);
    }
    switch (l.kind) {
      case LineKind::kExtendedRequestId:
        tx->extended_request_id.assign(l.value);
        saw_beginning = true;
        break;
      case LineKind::kStartingAuthorizer:
        in_authorizer = true;
        saw_beginning = true;
        tx->authorizer_id.assign(l.value.substr(0, l.value.find_first_of(" \t")));
        break;
      case LineKind::kAuthorizerPrincipal:
        tx->authorizer_principal.assign(l.value);
        break;
      case LineKind::kAuthorizerCompleted:
        in_authorizer = false;
        break;
      case LineKind::kUnauthorized:
        in_authorizer = false;
        ended_early = true;
        SetError(ErrorKind::kUnauthorized, tx);
        break;
      case LineKind::kVerifyingUsagePlan:
      case LineKind::kUsagePlanCheck: {
        in_authorizer = false;
        saw_beginning |= l.kind == LineKind::kVerifyingUsagePlan;
        std::string_view key, api, stage;
        if (ParseUsagePlanValue(l.value, &key, &api, &stage)) {
          if (!key.empty() && tx->api_key.empty()) tx->api_key.assign(key);
          if (tx->api_id.empty()) tx->api_id.assign(api);
          if (tx->stage.empty()) tx->stage.assign(stage);
        }
        break;
      }
      case LineKind::kApiKeyAuthorization:
      case LineKind::kApiKeyInvalid: {
        std::string_view method, resource;
        int required = -1;
        if (ParseApiKeyMethod(l.value, &method, &resource, &required)) {
          plan_template = resource;
          if (method != "ANY") fallback_method = method;
          tx->api_key_required = static_cast<int8_t>(required);
        }
        if (l.kind == LineKind::kApiKeyInvalid) {
          tx->api_key_required = 1;
          ended_early = true;
          SetError(ErrorKind::kForbidden, tx);
        }
        break;
      }
      case LineKind::kApiKey:
        if (!l.value.empty() && tx->api_key.empty()) tx->api_key.assign(l.value);
        break;
      case LineKind::kThrottled: {
        ended_early = true;
        SetError(ErrorKind::kThrottled, tx);
        std::string_view api, stage, method;
        ParseThrottleValue(l.value, &api, &stage, &method);
        if (tx->api_id.empty()) tx->api_id.assign(api);
        if (tx->stage.empty()) tx->stage.assign(stage);
        if (!method.empty()) fallback_method = method;
        break;
      }
      case LineKind::kStartingExecution:
        in_authorizer = false;
        started = true;
        break;
      case LineKind::kHttpMethod: {
        in_authorizer = false;
        started = true;
        std::string_view method, path;
        if (ParseHttpMethodValue(l.value, &method, &path)) {
          tx->method.assign(method);
          tx->path.assign(path);
        }
        break;
      }
      case LineKind::kMethodRequestPath:
        ParseJavaMap(l.value, l.truncated, MapKind::kParameters, &tx->path_params);
        break;
      case LineKind::kMethodRequestQuery:
        ParseJavaMap(l.value, l.truncated, MapKind::kParameters, &tx->query_params);
        break;
      case LineKind::kMethodRequestHeaders:
        ParseJavaMap(l.value, l.truncated, MapKind::kHeaders, &tx->request_headers);
        break;
      case LineKind::kMethodRequestBody:
        SetBody(t, &tx->request_body);
        break;
      case LineKind::kEndpointRequestUri:
        if (!in_authorizer) tx->integration_uri.assign(l.value);
        break;
      case LineKind::kSendingRequest:
        if (!in_authorizer && tx->integration_uri.empty()) tx->integration_uri.assign(l.value);
        break;
      case LineKind::kEndpointRequestHeaders: {
        if (in_authorizer) break;
        std::string_view arn = FindJavaMapValue(l.value, "X-Amz-Source-Arn");
        // A value running into the cut may itself be cut.
        bool cut = l.truncated && arn.data() + arn.size() == l.value.data() + l.value.size();
        ExecuteApiArn parsed;
        if (!arn.empty() && !cut && ParseExecuteApiArn(arn, &parsed)) {
          have_arn = true;
          arn_resource.assign(parsed.resource_tail);
          if (tx->region.empty()) tx->region.assign(parsed.region);
          if (tx->account_id.empty()) tx->account_id.assign(parsed.account);
          if (tx->api_id.empty()) tx->api_id.assign(parsed.api_id);
          if (tx->stage.empty()) tx->stage.assign(parsed.stage);
          if (parsed.method != "*" && parsed.method != "ANY") fallback_method = parsed.method;
        }
        if (tx->api_id.empty()) {
          std::string_view api = FindJavaMapValue(l.value, "x-amzn-apigateway-api-id");
          if (LooksLikeApiId(api)) tx->api_id.assign(api);
        }
        break;
      }
      case LineKind::kEndpointRequestBody:
        if (in_authorizer) {
          authorizer_json.Scan(JsonRole::kAuthorizerRequest, l.value);
          has_authorizer_request = !authorizer_json.method_arn.empty();
        } else {
          request_event = &t;
        }
        break;
      case LineKind::kReceivedResponse: {
        if (in_authorizer) break;
        int status = -1;
        int64_t latency = -1;
        ParseReceivedResponse(l.value, &status, &latency);
        if (status >= 0) tx->integration_status = status;
        if (latency >= 0) tx->integration_latency_ms = latency;
        break;
      }
      case LineKind::kEndpointResponseBody:
        if (!in_authorizer) endpoint_response_body = &t;
        break;
      case LineKind::kEndpointResponseHeaders: {
        if (in_authorizer) break;
        endpoint_response_headers = &t;
        if (!FindJavaMapValue(l.value, "X-Amz-Function-Error").empty()) {
          SetError(ErrorKind::kLambdaFunctionError, tx);
        }
        break;
      }
      case LineKind::kMethodResponseBody:
        method_response_body = &t;
        break;
      case LineKind::kMethodResponseHeaders:
        method_response_headers = &t;
        break;
      case LineKind::kGatewayResponseType: {
        std::string_view type;
        int status = -1;
        if (ParseGatewayResponseType(l.value, &type, &status)) {
          SetError(ClassifyGatewayResponse(type), tx);
          if (tx->status < 0) tx->status = status;
        }
        break;
      }
      case LineKind::kGatewayResponseBody:
        gateway_body = &t;
        break;
      case LineKind::kGatewayResponseHeaders:
        gateway_headers = &t;
        break;
      case LineKind::kMethodCompleted: {
        completed = true;
        completed_ts = t.timestamp_ms;
        int64_t status = LeadingInteger(l.value);
        if (status >= 0) tx->status = static_cast<int32_t>(status);
        break;
      }
      case LineKind::kIntegrationRequestId:
        tx->integration_request_id.assign(l.value);
        break;
      case LineKind::kXrayTraceId:
        tx->xray_trace_id.assign(l.value);
        break;
      case LineKind::kExecutionFailed:
        SetError(ClassifyExecutionFailure(l.value), tx);
        if (tx->error_message.empty() && !l.value.empty()) tx->error_message.assign(l.value);
        break;
      case LineKind::kLambdaFailed: {
        SetError(ErrorKind::kLambdaFunctionError, tx);
        // "...customer function error: <message>. Lambda request id: <id>"; the message may
        // hold its own ". ", so split at the last marker.
        std::string_view v = l.value;
        constexpr std::string_view kId = ". Lambda request id:";
        if (size_t at = v.rfind(kId); at != std::string_view::npos) {
          tx->integration_request_id.assign(TrimAsciiSpace(v.substr(at + kId.size())));
          v = v.substr(0, at);
        }
        if (size_t at = v.find("error:"); at != std::string_view::npos) v = TrimAsciiSpace(v.substr(at + 6));
        if (tx->error_message.empty()) tx->error_message.assign(v);
        break;
      }
      case LineKind::kEndpointTimedOut:
        SetError(ErrorKind::kIntegrationTimeout, tx);
        break;
      case LineKind::kValidationFailed:
        SetError(ErrorKind::kValidationFailed, tx);
        if (tx->error_message.empty()) tx->error_message.assign(l.value);
        break;
      case LineKind::kIncomingIdentity:       // A token, masked: nothing to learn.
      case LineKind::kAuthorizerResultBody:   // The policy and context: may hold secrets.
      case LineKind::kApiKeyId:
      case LineKind::kExecutionSucceeded:
      case LineKind::kUnknown:
        break;
    }
  }

  // The Lambda-proxy event knows the request exactly where it is complete; it is read only
  // when the lines above left something out, as it is the costliest line to read.
  bool has_request_event = request_event != nullptr && LooksLikeProxyEvent(request_event->line.value);
  bool need_event = has_request_event &&
                    (!tx->request_headers.logged || tx->request_headers.truncated ||
                     !tx->query_params.logged || tx->query_params.truncated ||
                     tx->path_params.truncated || tx->method.empty() || tx->path.empty() ||
                     (!have_arn && plan_template.empty()) || tx->request_body.truncated);
  if (need_event) {
    request_json.Scan(JsonRole::kRequestEvent, request_event->line.value,
                      !tx->request_body.present || tx->request_body.truncated);
    has_request_event = request_json.is_proxy_event;
  }
  if (need_event && has_request_event) {
    const ProxyJson& j = request_json;
    PreferCompleteJson(j.multi_headers, j.multi_headers_complete, j.headers, j.headers_complete,
                       &tx->request_headers);
    PreferCompleteJson(j.multi_query, j.multi_query_complete, j.query, j.query_complete,
                       &tx->query_params);
    if (j.path_params_complete) CopyFields(j.path_params, &tx->path_params);
    if (j.has_body && j.body_complete && !j.base64 &&
        (!tx->request_body.present || tx->request_body.truncated)) {
      tx->request_body.present = true;
      tx->request_body.truncated = false;
      tx->request_body.text = j.body;
    }
    if (tx->method.empty()) tx->method = j.http_method;
    if (tx->path.empty()) tx->path = j.path;
    if (tx->source_ip.empty()) tx->source_ip = j.source_ip;
    if (tx->user_agent.empty()) tx->user_agent = j.user_agent;
  }
  // Requests the authorizer refused never reach "HTTP Method:"; its methodArn names them.
  if (has_authorizer_request && (tx->method.empty() || tx->path.empty())) {
    ExecuteApiArn parsed;
    if (ParseExecuteApiArn(authorizer_json.method_arn, &parsed)) {
      if (tx->method.empty() && parsed.method != "*") tx->method.assign(parsed.method);
      if (tx->path.empty()) tx->path.assign("/").append(parsed.resource_tail);
      if (tx->api_id.empty()) tx->api_id.assign(parsed.api_id);
      if (tx->stage.empty()) tx->stage.assign(parsed.stage);
      if (tx->region.empty()) tx->region.assign(parsed.region);
      if (tx->account_id.empty()) tx->account_id.assign(parsed.account);
    }
  }
  if (tx->method.empty()) tx->method.assign(fallback_method);

  // The resource template, most exact source first.
  if (need_event && has_request_event && !request_json.resource.empty()) {
    tx->resource_path = request_json.resource;
  } else if (have_arn) {
    tx->resource_path.assign("/").append(arn_resource);
  } else if (!plan_template.empty()) {
    tx->resource_path.assign(plan_template);
  } else if (RebuildResourcePath(tx->path, tx->path_params, &tx->resource_path)) {
    tx->resource_path_rebuilt = true;
  }

  // The response as the client got it: the method response, else the gateway's own
  // response, else what the integration returned.
  bool lambda_proxy = has_request_event || IsLambdaUri(tx->integration_uri);
  if (endpoint_response_body != nullptr && lambda_proxy) {
    response_json.Scan(JsonRole::kProxyResponse, endpoint_response_body->line.value,
                       method_response_body == nullptr && gateway_body == nullptr);
    if (tx->integration_status < 0 && response_json.status_code >= 0) {
      tx->integration_status = response_json.status_code;
    }
  }
  const TimedLine* headers_line = method_response_headers != nullptr ? method_response_headers
                                  : gateway_headers != nullptr       ? gateway_headers
                                  : lambda_proxy                     ? nullptr
                                                                     : endpoint_response_headers;
  if (headers_line != nullptr) {
    ParseJavaMap(headers_line->line.value, headers_line->line.truncated, MapKind::kHeaders,
                 &tx->response_headers);
  }
  if (lambda_proxy && endpoint_response_body != nullptr) {
    // The function's own headers reach the client too; the method response often shows only
    // the gateway's (X-Amzn-Trace-Id).
    const ProxyJson& r = response_json;
    const FieldList& from = r.multi_headers_complete ? r.multi_headers : r.headers;
    for (const model::Field& f : from) {
      if (tx->response_headers.Find(f.name) == nullptr) {
        tx->response_headers.Add(f.name, f.value, f.value_truncated);
      }
    }
  }
  if (method_response_body != nullptr) {
    SetBody(*method_response_body, &tx->response_body);
  } else if (gateway_body != nullptr) {
    SetBody(*gateway_body, &tx->response_body);
  } else if (endpoint_response_body != nullptr) {
    if (lambda_proxy && response_json.has_body) {
      tx->response_body.present = true;
      tx->response_body.truncated = !response_json.body_complete;
      tx->response_body.text = response_json.body;
    } else {
      SetBody(*endpoint_response_body, &tx->response_body);
    }
  }
  const FieldList* lambda_headers =
      lambda_proxy && endpoint_response_body != nullptr ? &response_json.headers : nullptr;
  SetContentType(tx->request_headers, nullptr, &tx->request_body);
  SetContentType(tx->response_headers, lambda_headers, &tx->response_body);

  // Who called, and through which domain.
  if (const model::Field* host = tx->request_headers.Find("Host");
      host != nullptr && !host->value_truncated) {
    tx->domain_name = host->value;
    ApplyDomainName(tx);
  }
  ApplyLogGroup(tx->log_group, tx);
  if (tx->source_ip.empty()) {
    if (const model::Field* xff = tx->request_headers.Find("X-Forwarded-For");
        xff != nullptr && !xff->value_truncated) {
      tx->source_ip.assign(TrimAsciiSpace(std::string_view(xff->value).substr(0, xff->value.find(','))));
    }
  }
  if (tx->user_agent.empty()) {
    if (const model::Field* ua = tx->request_headers.Find("User-Agent");
        ua != nullptr && !ua->value_truncated) {
      tx->user_agent = ua->value;
    }
  }

  tx->request_time_ms = first_ts;
  tx->end_time_ms = last_ts;
  if (completed && saw_beginning && first_ts >= 0 && completed_ts >= first_ts) {
    tx->response_latency_ms = completed_ts - first_ts;
  }
  if (!completed) {
    tx->partial = true;
    tx->partial_reason = context.closed_early == model::PartialReason::kNone
                             ? model::PartialReason::kEndOfInput
                             : context.closed_early;
  } else if (!started && !ended_early && !saw_beginning) {
    tx->partial = true;
    tx->partial_reason = model::PartialReason::kNoStart;
  }
  bool bodies_whole = tx->request_body.present && !tx->request_body.truncated &&
                      tx->response_body.present && !tx->response_body.truncated &&
                      !tx->request_headers.truncated;
  tx->coverage = bodies_whole && !tx->partial ? model::Coverage::kFull
                                              : model::Coverage::kDiscoveryOnly;
}

}  // namespace gatescope::parsers::apigw_execution
