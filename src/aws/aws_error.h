#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "env/http_client.h"

namespace gatescope::aws {

// An AWS error response, from any of the protocols: awsJson (`__type`, `message`), rest-json
// (`x-amzn-ErrorType` header, `message`/`Message`), query and rest-xml (`<Error><Code>`,
// `<Message>`, `<RequestId>`).
struct AwsError {
  int http_status = 0;
  std::string code;  // Sanitized as the SDKs do: namespace prefix "a.b#" and ":url" suffix cut.
  std::string message;
  std::string request_id;
};

// Reads the error from a non-2xx response. Never fails: an unreadable body leaves `code` empty
// and the HTTP status decides.
AwsError ParseAwsError(const env::HttpResponse& response);

enum class AwsErrorKind {
  kThrottling,          // ThrottlingException, TooManyRequestsException, SlowDown, 429, ...
  kTransient,           // 5xx, RequestTimeout, ServiceUnavailable, InternalFailure, ...
  kExpiredCredentials,  // ExpiredToken(Exception), RequestExpired: refresh and retry.
  kAccessDenied,        // AccessDenied(Exception), UnauthorizedOperation, 403s.
  kNotFound,            // ResourceNotFoundException, NotFoundException, NoSuchKey, 404.
  kOther,               // Everything else: the request itself is wrong; do not retry.
};
AwsErrorKind ClassifyAwsError(const AwsError& error);

// The error as a Status. The message names the refused call as "<service>:<action>" (the IAM
// action), then the AWS code, message and request id, e.g.
// "logs:FilterLogEvents refused (access denied): AccessDeniedException: User ... (request 1-2)".
// Codes: throttling kResourceExhausted; transient kUnavailable; expired credentials and access
// denied kPermissionDenied; not found kNotFound; other kInvalidArgument.
Status AwsErrorToStatus(const AwsError& error, std::string_view service, std::string_view action);

}  // namespace gatescope::aws
