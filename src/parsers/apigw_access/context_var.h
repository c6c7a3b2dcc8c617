#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gatescope::parsers::apigw_access {

// The meaning of an access-log field: the API Gateway `$context` variable it holds
// (../shared/reference/apigw-logs.md §2.4). Users name their fields freely; we map by meaning.
enum class ContextVar : uint8_t {
  kIgnored = 0,  // A variable we do not use (still consumed when matching text formats).
  kRequestId,
  kExtendedRequestId,
  kApiId,
  kStage,
  kAccountId,
  kDomainName,
  kHttpMethod,
  kPath,          // $context.path: concrete, may carry the /{stage} prefix.
  kUri,           // Path with query string (and fragment), e.g. a "uri-query-fragment" field.
  kResourcePath,  // REST template.
  kRouteKey,      // HTTP/WebSocket route.
  kProtocol,
  kStatus,
  kIntegrationStatus,
  kResponseLength,
  kRequestTime,       // CLF "dd/MMM/yyyy:HH:mm:ss +hhmm" (ISO-8601 and epoch also accepted).
  kRequestTimeEpoch,  // Epoch milliseconds (seconds accepted, told apart by magnitude).
  kResponseLatency,
  kIntegrationLatency,
  kErrorMessage,
  kSourceIp,
  kUserAgent,
  kCaller,
  kUser,
  kEventType,
  kConnectionId,
};

// Lower-cases `name`, keeps only letters and digits, and drops a leading "context", so that
// "$context.identity.sourceIp", "identity.sourceIp" and "identity_source_ip" all become
// "identitysourceip".
std::string NormalizeFieldName(std::string_view name);

// The variable a `$context` name denotes ("$context.requestId", "requestId",
// "identity.sourceIp"), or kIgnored for variables we do not use or do not know.
ContextVar ContextVarFromName(std::string_view name);

// The variable a JSON access-log key most likely holds: the `$context` names themselves plus
// the names the AWS console formats, common custom formats and other vendors' recommended
// formats use ("ip", "httpMethod", "status-code", "uri-query-fragment", ...). kIgnored if none.
ContextVar ContextVarFromJsonKey(std::string_view key);

}  // namespace gatescope::parsers::apigw_access
