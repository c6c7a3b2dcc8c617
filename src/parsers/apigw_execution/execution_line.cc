#include "parsers/apigw_execution/execution_line.h"

#include <array>
#include <cstring>
#include <vector>

#include "core/ascii.h"

namespace gatescope::parsers::apigw_execution {
namespace {

constexpr std::string_view kTruncatedMarker = " [TRUNCATED]";
constexpr size_t kMaxRequestIdLength = 64;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A label pattern, matched case-insensitively: ' ' matches one or more blanks, ':' matches
// optional blanks then a colon ("AWS Integration Endpoint RequestId :" has a space before its
// colon), '*' matches any run of characters (a masked API key between two words).
struct Label {
  std::string_view pattern;
  LineKind kind;
};

// Longer labels sharing a prefix come first: the first match wins.
constexpr Label kLabels[] = {
    {"Extended Request Id:", LineKind::kExtendedRequestId},
    {"Starting authorizer:", LineKind::kStartingAuthorizer},
    {"Starting execution for request:", LineKind::kStartingExecution},
    {"Incoming identity:", LineKind::kIncomingIdentity},
    {"Authorizer result body before parsing:", LineKind::kAuthorizerResultBody},
    {"Using valid authorizer policy for principal:", LineKind::kAuthorizerPrincipal},
    {"Successfully completed authorizer execution", LineKind::kAuthorizerCompleted},
    {"Successfully completed execution", LineKind::kExecutionSucceeded},
    {"Unauthorized request:", LineKind::kUnauthorized},
    {"Verifying Usage Plan for request:", LineKind::kVerifyingUsagePlan},
    {"Usage Plan check", LineKind::kUsagePlanCheck},
    {"API Key authorized because", LineKind::kApiKeyAuthorization},
    {"API Key*not authorized", LineKind::kApiKeyInvalid},
    {"API Key*authorized because", LineKind::kApiKeyAuthorization},
    {"API Key ID:", LineKind::kApiKeyId},
    {"API Key:", LineKind::kApiKey},
    {"AuthorizerConfigurationException", LineKind::kExecutionFailed},
    {"AWS Integration Endpoint RequestId:", LineKind::kIntegrationRequestId},
    {"Key throttle limit exceeded", LineKind::kThrottled},
    {"Method-level throttle limit exceeded", LineKind::kThrottled},
    {"Method level throttle limit exceeded", LineKind::kThrottled},
    {"Account throttle limit exceeded", LineKind::kThrottled},
    {"Stage throttle limit exceeded", LineKind::kThrottled},
    {"Throttl", LineKind::kThrottled},
    {"HTTP Method:", LineKind::kHttpMethod},
    {"Method request path:", LineKind::kMethodRequestPath},
    {"Method request query string:", LineKind::kMethodRequestQuery},
    {"Method request headers:", LineKind::kMethodRequestHeaders},
    {"Method request body before transformations:", LineKind::kMethodRequestBody},
    {"Method response body after transformations:", LineKind::kMethodResponseBody},
    {"Method response headers:", LineKind::kMethodResponseHeaders},
    {"Method completed with status:", LineKind::kMethodCompleted},
    {"Endpoint request URI:", LineKind::kEndpointRequestUri},
    {"Endpoint request headers:", LineKind::kEndpointRequestHeaders},
    {"Endpoint request body after transformations:", LineKind::kEndpointRequestBody},
    {"Endpoint request timed out", LineKind::kEndpointTimedOut},
    {"Endpoint response body before transformations:", LineKind::kEndpointResponseBody},
    {"Endpoint response headers:", LineKind::kEndpointResponseHeaders},
    {"Sending request to", LineKind::kSendingRequest},
    {"Received response.", LineKind::kReceivedResponse},
    {"X-ray Tracing ID:", LineKind::kXrayTraceId},
    {"Execution failed due to", LineKind::kExecutionFailed},
    {"Execution failed", LineKind::kExecutionFailed},
    {"Lambda execution failed", LineKind::kLambdaFailed},
    {"Lambda invocation failed", LineKind::kLambdaFailed},
    {"Gateway response type:", LineKind::kGatewayResponseType},
    {"Gateway response body:", LineKind::kGatewayResponseBody},
    {"Gateway response headers:", LineKind::kGatewayResponseHeaders},
    {"Request body does not match model schema", LineKind::kValidationFailed},
    {"Request validation failed", LineKind::kValidationFailed},
    {"Request parameters do not match", LineKind::kValidationFailed},
    {"Invalid request body", LineKind::kValidationFailed},
    {"Forbidden: API Key", LineKind::kApiKeyInvalid},
};

// Matches `pattern` at the start of `text`; on success returns how many characters of `text`
// it covered.
bool MatchLabel(std::string_view pattern, std::string_view text, size_t* used) {
  size_t t = 0;
  for (size_t p = 0; p < pattern.size(); ++p) {
    char c = pattern[p];
    if (c == ' ') {
      if (t >= text.size() || !IsBlank(text[t])) return false;
      while (t < text.size() && IsBlank(text[t])) ++t;
    } else if (c == ':') {
      while (t < text.size() && IsBlank(text[t])) ++t;
      if (t >= text.size() || text[t] != ':') return false;
      ++t;
    } else if (c == '*') {
      // Search for the rest; a masked key has no line break and is short.
      std::string_view rest = pattern.substr(p + 1);
      for (size_t start = t; start < text.size() && start < t + 256 && text[start] != '\n';
           ++start) {
        size_t sub = 0;
        if (MatchLabel(rest, text.substr(start), &sub)) {
          *used = start + sub;
          return true;
        }
      }
      return false;
    } else {
      if (t >= text.size() || AsciiLower(text[t]) != AsciiLower(c)) return false;
      ++t;
    }
  }
  *used = t;
  return true;
}

// Label indexes by the lowercase first letter of their pattern, and the exact text each
// pattern stands for when written as AWS writes it (no '*'), for a memcmp fast path.
struct LabelIndex {
  std::array<std::vector<uint8_t>, 26> by_letter;
  std::array<bool, std::size(kLabels)> literal{};
  LabelIndex() {
    for (size_t i = 0; i < std::size(kLabels); ++i) {
      char c = AsciiLower(kLabels[i].pattern[0]);
      by_letter[c - 'a'].push_back(static_cast<uint8_t>(i));
      literal[i] = kLabels[i].pattern.find('*') == std::string_view::npos;
    }
  }
};

const LabelIndex& Index() {
  static const LabelIndex index;
  return index;
}

bool IsRequestIdChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '-' || c == '_';
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Length of a "(<id>) " prefix, or 0.
size_t RequestIdPrefixLength(std::string_view m) {
  if (m.size() < 4 || m[0] != '(') return 0;
  // Nearly every id is a lowercase UUID: check its shape with fixed offsets first.
  if (m.size() >= 39 && m[37] == ')' && m[38] == ' ' && m[9] == '-' && m[14] == '-' &&
      m[19] == '-' && m[24] == '-') {
    bool uuid = true;
    for (size_t i = 1; i < 37 && uuid; ++i) uuid = (i == 9 || i == 14 || i == 19 || i == 24) || IsHex(m[i]);
    if (uuid) return 39;
  }
  size_t i = 1;
  while (i < m.size() && i <= kMaxRequestIdLength && IsRequestIdChar(m[i])) ++i;
  if (i == 1 || i + 1 >= m.size() || m[i] != ')' || m[i + 1] != ' ') return 0;
  return i + 2;
}

// The token after `marker` in `value`, up to a blank, comma or the end, with a trailing '.'
// removed (the usage-plan line has "<id>. API Key:").
std::string_view TokenAfter(std::string_view value, std::string_view marker) {
  size_t at = value.find(marker);
  if (at == std::string_view::npos) return {};
  std::string_view rest = value.substr(at + marker.size());
  while (!rest.empty() && IsBlank(rest.front())) rest.remove_prefix(1);
  if (!rest.empty() && rest.front() == ':') rest.remove_prefix(1);  // "API Stage: a/b".
  while (!rest.empty() && IsBlank(rest.front())) rest.remove_prefix(1);
  size_t end = 0;
  while (end < rest.size() && !IsAsciiSpace(rest[end]) && rest[end] != ',') ++end;
  std::string_view token = rest.substr(0, end);
  if (!token.empty() && token.back() == '.') token.remove_suffix(1);
  return token;
}

// Splits "<api>/<stage>" at its first slash.
bool SplitApiStage(std::string_view s, std::string_view* api_id, std::string_view* stage) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == s.size()) return false;
  *api_id = s.substr(0, slash);
  *stage = s.substr(slash + 1);
  return true;
}

}  // namespace

std::string_view LineKindName(LineKind kind) {
  static constexpr std::array<std::string_view, kLineKindCount> kNames = {
      "unknown",
      "extended_request_id",
      "starting_authorizer",
      "incoming_identity",
      "authorizer_result_body",
      "authorizer_principal",
      "authorizer_completed",
      "unauthorized",
      "verifying_usage_plan",
      "api_key_authorization",
      "usage_plan_check",
      "throttled",
      "starting_execution",
      "http_method",
      "api_key",
      "method_request_path",
      "method_request_query",
      "method_request_headers",
      "method_request_body",
      "endpoint_request_uri",
      "endpoint_request_headers",
      "endpoint_request_body",
      "sending_request",
      "received_response",
      "endpoint_response_body",
      "endpoint_response_headers",
      "method_response_body",
      "method_response_headers",
      "execution_succeeded",
      "method_completed",
      "integration_request_id",
      "xray_trace_id",
      "execution_failed",
      "lambda_failed",
      "endpoint_timed_out",
      "gateway_response_type",
      "gateway_response_body",
      "gateway_response_headers",
      "validation_failed",
      "api_key_invalid",
      "api_key_id"};
  static_assert(kNames.size() == kLineKindCount);
  size_t i = static_cast<size_t>(kind);
  return i < kNames.size() ? kNames[i] : "unknown";
}

bool HasRequestIdPrefix(std::string_view message) { return RequestIdPrefixLength(message) > 0; }

ExecutionLine ParseExecutionLine(std::string_view message) {
  ExecutionLine line;
  if (size_t prefix = RequestIdPrefixLength(message); prefix > 0) {
    line.request_id = message.substr(1, prefix - 3);
    message.remove_prefix(prefix);
  }
  if (message.size() >= kTruncatedMarker.size() &&
      message.substr(message.size() - kTruncatedMarker.size()) == kTruncatedMarker) {
    line.truncated = true;
    message.remove_suffix(kTruncatedMarker.size());
  }
  while (!message.empty() && IsBlank(message.front())) message.remove_prefix(1);
  line.value = message;
  if (message.empty()) return line;
  char first = AsciiLower(message.front());
  if (first < 'a' || first > 'z') return line;
  const LabelIndex& index = Index();
  const std::vector<uint8_t>& candidates = index.by_letter[first - 'a'];
  // Fast path: the label exactly as AWS writes it. Then the tolerant matcher (case, runs of
  // blanks, " :"), which costs more per label.
  size_t used = 0;
  int found = -1;
  for (uint8_t i : candidates) {
    std::string_view p = kLabels[i].pattern;
    if (index.literal[i] && message.size() >= p.size() &&
        std::memcmp(message.data(), p.data(), p.size()) == 0) {
      found = i;
      used = p.size();
      break;
    }
  }
  for (size_t k = 0; found < 0 && k < candidates.size(); ++k) {
    if (MatchLabel(kLabels[candidates[k]].pattern, message, &used)) found = candidates[k];
  }
  if (found >= 0) {
    size_t i = static_cast<size_t>(found);
    line.kind = kLabels[i].kind;
    std::string_view value = message.substr(used);
    while (!value.empty() && IsAsciiSpace(value.front())) value.remove_prefix(1);
    // The whitespace a label leaves before an empty value ("...transformations: ") is not
    // part of the value; a value's own trailing newlines are not either.
    while (!value.empty() && IsAsciiSpace(value.back())) value.remove_suffix(1);
    line.value = value;
  }
  return line;
}

std::string_view RequestIdNamedIn(const ExecutionLine& line) {
  switch (line.kind) {
    case LineKind::kStartingExecution:
    case LineKind::kUnauthorized:
      return TokenAfter(line.value, "");
    case LineKind::kVerifyingUsagePlan:
      return TokenAfter(line.value, "");
    case LineKind::kStartingAuthorizer:
      return TokenAfter(line.value, "for request:");
    default:
      return {};
  }
}

bool ParseHttpMethodValue(std::string_view value, std::string_view* method,
                          std::string_view* path) {
  size_t comma = value.find(',');
  if (comma == std::string_view::npos) return false;
  *method = TrimAsciiSpace(value.substr(0, comma));
  std::string_view rest = value.substr(comma + 1);
  size_t label = rest.find("Resource Path:");
  if (label == std::string_view::npos) return false;
  *path = TrimAsciiSpace(rest.substr(label + 14));
  return !method->empty();
}

bool ParseApiKeyMethod(std::string_view value, std::string_view* method,
                       std::string_view* resource, int* key_required) {
  // The line's label ends before the method; `value` is the rest of the line, e.g.
  // "method 'GET /x' does not require API Key. Request will not contribute to ...".
  size_t open = value.find('\'');
  if (open == std::string_view::npos) return false;
  size_t close = value.find('\'', open + 1);
  if (close == std::string_view::npos) return false;
  std::string_view quoted = value.substr(open + 1, close - open - 1);
  size_t space = quoted.find(' ');
  if (space == std::string_view::npos) return false;
  *method = quoted.substr(0, space);
  *resource = TrimAsciiSpace(quoted.substr(space + 1));
  std::string_view after = value.substr(close + 1);
  if (after.find("does not require") != std::string_view::npos) {
    *key_required = 0;
  } else if (after.find("require") != std::string_view::npos) {
    *key_required = 1;
  } else {
    *key_required = -1;
  }
  return !method->empty() && !resource->empty() && resource->front() == '/';
}

bool ParseUsagePlanValue(std::string_view value, std::string_view* api_key,
                         std::string_view* api_id, std::string_view* stage) {
  size_t stage_at = value.find("API Stage");
  if (stage_at == std::string_view::npos) return false;
  std::string_view api_stage = TokenAfter(value.substr(stage_at), "API Stage");
  if (!SplitApiStage(api_stage, api_id, stage)) return false;
  // The key sits between "API Key" (then ':' in "Verifying ...", nothing in "check
  // succeeded for") and " API Stage" / " and API Stage"; empty when no key was sent.
  *api_key = {};
  size_t key_at = value.find("API Key");
  if (key_at != std::string_view::npos && key_at < stage_at) {
    std::string_view key = value.substr(key_at + 7, stage_at - key_at - 7);
    key = TrimAsciiSpace(key);
    if (!key.empty() && key.front() == ':') key = TrimAsciiSpace(key.substr(1));
    if (key.size() >= 3 && key.substr(key.size() - 3) == "and") {
      key = TrimAsciiSpace(key.substr(0, key.size() - 3));
    }
    *api_key = key;
  }
  return true;
}

bool ParseReceivedResponse(std::string_view value, int* status, int64_t* latency_ms) {
  *status = -1;
  *latency_ms = -1;
  if (size_t at = value.find("Status:"); at != std::string_view::npos) {
    *status = static_cast<int>(LeadingInteger(TrimAsciiSpace(value.substr(at + 7))));
  }
  if (size_t at = value.find("latency:"); at != std::string_view::npos) {
    *latency_ms = LeadingInteger(TrimAsciiSpace(value.substr(at + 8)));
  }
  return *status >= 0 || *latency_ms >= 0;
}

bool ParseThrottleValue(std::string_view value, std::string_view* api_id,
                        std::string_view* stage, std::string_view* method) {
  *api_id = TokenAfter(value, "RestApi");
  *stage = TokenAfter(value, "Stage");
  *method = TokenAfter(value, "HttpMethod");
  return !api_id->empty() || !method->empty();
}

bool ParseGatewayResponseType(std::string_view value, std::string_view* type, int* status) {
  size_t end = 0;
  while (end < value.size() && !IsAsciiSpace(value[end])) ++end;
  *type = value.substr(0, end);
  *status = -1;
  if (size_t at = value.find("status code:"); at != std::string_view::npos) {
    *status = static_cast<int>(LeadingInteger(TrimAsciiSpace(value.substr(at + 12))));
  }
  return !type->empty();
}

int64_t LeadingInteger(std::string_view value) {
  int64_t n = 0;
  size_t i = 0;
  for (; i < value.size() && i < 18 && IsDigit(value[i]); ++i) n = n * 10 + (value[i] - '0');
  return i == 0 ? -1 : n;
}

}  // namespace gatescope::parsers::apigw_execution
