#include "aws/aws_error.h"

#include <nlohmann/json.hpp>


#include "aws/internal/xml_scan.h"

namespace gatescope::aws {
namespace {

// "aws.protocoltests#FooError:http://internal.amazon.com/..." -> "FooError", as smithy-rs's
// sanitize_error_code does.
std::string SanitizeCode(std::string_view code) {
  if (const size_t colon = code.find(':'); colon != std::string_view::npos) {
    code = code.substr(0, colon);
  }
  if (const size_t hash = code.rfind('#'); hash != std::string_view::npos) {
    code.remove_prefix(hash + 1);
  }
  return std::string(code);
}

bool IsOneOf(std::string_view code, std::initializer_list<std::string_view> codes) {
  for (std::string_view c : codes) {
    if (code == c) return true;
  }
  return false;
}

void ReadJsonError(std::string_view body, AwsError& error) {
  try {
    const nlohmann::json doc = nlohmann::json::parse(body);
    if (!doc.is_object()) return;
    for (const char* key : {"__type", "code", "Code"}) {
      auto it = doc.find(key);
      if (it != doc.end() && it->is_string() && error.code.empty()) {
        error.code = SanitizeCode(it->get<std::string>());
      }
    }
    for (const char* key : {"message", "Message", "errorMessage"}) {
      auto it = doc.find(key);
      if (it != doc.end() && it->is_string() && error.message.empty()) {
        error.message = it->get<std::string>();
      }
    }
  } catch (const nlohmann::json::exception&) {
    // Not JSON after all: the status code decides.
  }
}

void ReadXmlError(std::string_view body, AwsError& error) {
  // EC2 nests <Errors><Error>; STS and S3 have one <Error>. The first Code is the one.
  if (auto code = xml::FirstText(body, "Code"); code && error.code.empty()) {
    error.code = SanitizeCode(*code);
  }
  if (auto message = xml::FirstText(body, "Message"); message && error.message.empty()) {
    error.message = *message;
  }
  if (error.request_id.empty()) {
    for (const char* name : {"RequestId", "RequestID"}) {
      if (auto id = xml::FirstText(body, name)) {
        error.request_id = *id;
        break;
      }
    }
  }
}

}  // namespace

AwsError ParseAwsError(const env::HttpResponse& response) {
  AwsError error;
  error.http_status = response.status;
  for (const char* header : {"x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"}) {
    if (std::string_view id = response.Header(header); !id.empty()) {
      error.request_id = std::string(id);
      break;
    }
  }
  if (std::string_view type = response.Header("x-amzn-errortype"); !type.empty()) {
    error.code = SanitizeCode(type);
  }
  const size_t first = response.body.find_first_not_of(" \t\r\n");
  if (first != std::string::npos) {
    std::string_view body(response.body);
    if (body[first] == '{') {
      ReadJsonError(body, error);
    } else if (body[first] == '<') {
      ReadXmlError(body, error);
    }
  }
  return error;
}

AwsErrorKind ClassifyAwsError(const AwsError& error) {
  const std::string_view code = error.code;
  // Codes from the AWS SDKs' standard retry mode (botocore retries/standard.py, smithy).
  if (error.http_status == 429 ||
      IsOneOf(code, {"Throttling", "ThrottlingException", "ThrottledException",
                     "RequestThrottledException", "TooManyRequestsException",
                     "ProvisionedThroughputExceededException", "TransactionInProgressException",
                     "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
                     "RequestThrottled", "SlowDown", "EC2ThrottledException"})) {
    return AwsErrorKind::kThrottling;
  }
  if (IsOneOf(code, {"ExpiredToken", "ExpiredTokenException", "RequestExpired",
                     "TokenRefreshRequired"})) {
    return AwsErrorKind::kExpiredCredentials;
  }
  if (error.http_status >= 500 ||
      IsOneOf(code, {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
                     "InternalError", "InternalFailure", "ServiceUnavailable",
                     "ServiceUnavailableException", "IDPCommunicationError"})) {
    return AwsErrorKind::kTransient;
  }
  if (error.http_status == 403 ||
      IsOneOf(code, {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                     "UnrecognizedClientException", "InvalidClientTokenId",
                     "SignatureDoesNotMatch", "AuthFailure", "UnauthorizedException"})) {
    return AwsErrorKind::kAccessDenied;
  }
  if (error.http_status == 404 ||
      IsOneOf(code, {"ResourceNotFoundException", "NotFoundException", "NoSuchKey",
                     "NoSuchBucket", "NotFound"})) {
    return AwsErrorKind::kNotFound;
  }
  return AwsErrorKind::kOther;
}

Status AwsErrorToStatus(const AwsError& error, std::string_view service,
                        std::string_view action) {
  const AwsErrorKind kind = ClassifyAwsError(error);
  std::string text = std::string(service) + ":" + std::string(action);
  StatusCode code = StatusCode::kInvalidArgument;
  switch (kind) {
    case AwsErrorKind::kThrottling:
      text += " throttled";
      code = StatusCode::kResourceExhausted;
      break;
    case AwsErrorKind::kTransient:
      text += " unavailable";
      code = StatusCode::kUnavailable;
      break;
    case AwsErrorKind::kExpiredCredentials:
      text += " refused (expired credentials)";
      code = StatusCode::kPermissionDenied;
      break;
    case AwsErrorKind::kAccessDenied:
      text += " refused (access denied)";
      code = StatusCode::kPermissionDenied;
      break;
    case AwsErrorKind::kNotFound:
      text += " found nothing";
      code = StatusCode::kNotFound;
      break;
    case AwsErrorKind::kOther:
      text += " failed";
      break;
  }
  text += ": ";
  text += error.code.empty() ? "HTTP " + std::to_string(error.http_status) : error.code;
  if (!error.message.empty()) text += ": " + error.message;
  text += " (HTTP " + std::to_string(error.http_status);
  if (!error.request_id.empty()) text += ", request " + error.request_id;
  text += ")";
  return Status(code, std::move(text));
}

}  // namespace gatescope::aws
