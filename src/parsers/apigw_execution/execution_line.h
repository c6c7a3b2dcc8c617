#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gatescope::parsers::apigw_execution {

// What one REST execution-log event says, by its label. The catalogue and its variants across
// the years are in ../shared/reference/apigw-logs.md §1.3 and tests/fixtures/execution/.
// Add new kinds at the end: the names are metric labels.
enum class LineKind : uint8_t {
  kUnknown = 0,             // No known label: kept with its request, counted, not interpreted.
  kExtendedRequestId,       // "Extended Request Id: Vts2pH6ArPEFcuQ="
  kStartingAuthorizer,      // "Starting authorizer: elkw5b for request: <id>"
  kIncomingIdentity,        // "Incoming identity: ****...I1BUdE"
  kAuthorizerResultBody,    // "Authorizer result body before parsing: {...}"
  kAuthorizerPrincipal,     // "Using valid authorizer policy for principal: ****bkwef5"
  kAuthorizerCompleted,     // "Successfully completed authorizer execution"
  kUnauthorized,            // "Unauthorized request: <id>"
  kVerifyingUsagePlan,      // "Verifying Usage Plan for request: <id>. API Key: ... API Stage: a/s"
  kApiKeyAuthorization,     // "API Key authorized because method 'GET /x' does not require ..."
  kUsagePlanCheck,          // "Usage Plan check succeeded for API Key ... and API Stage a/s"
  kThrottled,               // "Key throttle limit exceeded for RestApi a, Stage s, ..."
  kStartingExecution,       // "Starting execution for request: <id>"
  kHttpMethod,              // "HTTP Method: POST, Resource Path: /verifyReceipt"
  kApiKey,                  // "API Key: ****bMZHBg" (2016)
  kMethodRequestPath,       // "Method request path: {id=1}"
  kMethodRequestQuery,      // "Method request query string: {q=x}"
  kMethodRequestHeaders,    // "Method request headers: {Accept=*/*, ...}"
  kMethodRequestBody,       // "Method request body before transformations: ..."
  kEndpointRequestUri,      // "Endpoint request URI: https://..."
  kEndpointRequestHeaders,  // "Endpoint request headers: {...}"
  kEndpointRequestBody,     // "Endpoint request body after transformations: ..."
  kSendingRequest,          // "Sending request to https://..."
  kReceivedResponse,        // "Received response. [Status: 200, ]Integration latency: 40 ms"
  kEndpointResponseBody,    // "Endpoint response body before transformations: ..."
  kEndpointResponseHeaders, // "Endpoint response headers: {...}"
  kMethodResponseBody,      // "Method response body after transformations: ..."
  kMethodResponseHeaders,   // "Method response headers: {...}"
  kExecutionSucceeded,      // "Successfully completed execution"
  kMethodCompleted,         // "Method completed with status: 200"
  kIntegrationRequestId,    // "AWS Integration Endpoint RequestId : <id>"
  kXrayTraceId,             // "X-ray Tracing ID : 1-5c755b5d-..."
  kExecutionFailed,         // "Execution failed due to configuration error: ..."
  kLambdaFailed,            // "Lambda execution failed with status 200 due to customer ..."
  kEndpointTimedOut,        // "Endpoint request timed out"
  kGatewayResponseType,     // "Gateway response type: UNAUTHORIZED with status code: 401"
  kGatewayResponseBody,     // "Gateway response body: {...}"
  kGatewayResponseHeaders,  // "Gateway response headers: {...}"
  kValidationFailed,        // "Request body does not match model schema ...", "Request validation failed"
  kApiKeyInvalid,           // "API Key ... not authorized because ...", "Forbidden: API Key ..."
  kApiKeyId,                // "API Key ID: v7y79n2re7" (2020: the key's id, not its value)
};
inline constexpr size_t kLineKindCount = 42;

std::string_view LineKindName(LineKind kind);  // "extended_request_id", ...

// One parsed execution-log event.
//
// Views point into the message passed to ParseExecutionLine and are valid while it is.
struct ExecutionLine {
  std::string_view request_id;  // From the "(<id>) " prefix; empty in the 2016 format.
  LineKind kind = LineKind::kUnknown;
  // The text after the label, its colon and any whitespace (newlines included); for kUnknown,
  // the whole text after the prefix. Never includes the " [TRUNCATED]" marker.
  std::string_view value;
  bool truncated = false;  // The event ended with " [TRUNCATED]": `value` is a prefix.
};

// Parses one event's message. Labels are matched case-insensitively, with any run of spaces
// where the label has one and any whitespace after its colon; never by position. Never fails.
ExecutionLine ParseExecutionLine(std::string_view message);
ExecutionLine ParseExecutionLine(std::string&& message) = delete;  // Would dangle.
inline ExecutionLine ParseExecutionLine(const char* message) {
  return ParseExecutionLine(std::string_view(message));
}

// True when `message` has the "(<requestId>) " prefix of 2017-and-later execution logs.
bool HasRequestIdPrefix(std::string_view message);

// The request id named inside a line of the 2016 format (which has no prefix), for the kinds
// that name it: "Starting execution for request: <id>", "Verifying Usage Plan for request:
// <id>. ...", "Starting authorizer: <a> for request: <id>", "Unauthorized request: <id>".
// Empty for other lines.
std::string_view RequestIdNamedIn(const ExecutionLine& line);

// Small value parsers for single lines. Each returns false when the value does not have the
// expected shape; outputs are views into `value`.

// "POST, Resource Path: /verifyReceipt" -> ("POST", "/verifyReceipt").
bool ParseHttpMethodValue(std::string_view value, std::string_view* method,
                          std::string_view* path);
// "... method 'GET /pets/{id}' does not require API Key. ..." -> ("GET", "/pets/{id}"), and
// whether a key is required (1), not required (0) or not said (-1).
bool ParseApiKeyMethod(std::string_view value, std::string_view* method,
                       std::string_view* resource, int* key_required);
// "...API Key: <key> API Stage: <api>/<stage>" (usage-plan lines) -> key, api, stage.
bool ParseUsagePlanValue(std::string_view value, std::string_view* api_key,
                         std::string_view* api_id, std::string_view* stage);
// "Status: 403, Integration latency: 2 ms" or "Integration latency: 40 ms".
bool ParseReceivedResponse(std::string_view value, int* status, int64_t* latency_ms);
// "for RestApi a1b2c3d4e5, Stage prod, Resource abc123, HttpMethod GET. Limit: ..." (throttle).
bool ParseThrottleValue(std::string_view value, std::string_view* api_id,
                        std::string_view* stage, std::string_view* method);
// "UNAUTHORIZED with status code: 401" -> ("UNAUTHORIZED", 401).
bool ParseGatewayResponseType(std::string_view value, std::string_view* type, int* status);
// A leading decimal integer ("200", "429 ..."), or -1.
int64_t LeadingInteger(std::string_view value);

}  // namespace gatescope::parsers::apigw_execution
