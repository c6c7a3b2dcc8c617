#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/aws_environment.h"
#include "aws/credentials.h"
#include "aws/retry.h"
#include "core/clock.h"
#include "core/result.h"
#include "env/http_client.h"

namespace gatescope::aws {

// Static facts about one AWS service.
struct ServiceInfo {
  std::string_view service_id;       // For AWS_ENDPOINT_URL_<service_id>: "CLOUDWATCH_LOGS".
  std::string_view endpoint_prefix;  // Host prefix: "logs" -> logs.<region>.amazonaws.com.
  std::string_view signing_name;     // SigV4 service: "logs".
  std::string_view iam_prefix;       // IAM action prefix in errors: "logs".
};

inline constexpr ServiceInfo kCloudWatchLogs{"CLOUDWATCH_LOGS", "logs", "logs", "logs"};
inline constexpr ServiceInfo kApiGateway{"API_GATEWAY", "apigateway", "apigateway", "apigateway"};
inline constexpr ServiceInfo kApiGatewayV2{"APIGATEWAYV2", "apigateway", "apigateway",
                                           "apigateway"};
inline constexpr ServiceInfo kEc2{"EC2", "ec2", "ec2", "ec2"};
inline constexpr ServiceInfo kS3{"S3", "s3", "s3", "s3"};
inline constexpr ServiceInfo kSts{"STS", "sts", "sts", "sts"};

// "amazonaws.com", or "amazonaws.com.cn" in the China regions.
std::string_view AwsDnsSuffix(std::string_view region);

// https://<prefix>.<region>.<AwsDnsSuffix>: the endpoint when nothing overrides it.
std::string DefaultEndpoint(const ServiceInfo& service, std::string_view region);

// The endpoint of `service` in `region`, in the SDKs' order: AWS_ENDPOINT_URL_<SERVICE_ID>,
// AWS_ENDPOINT_URL, the profile's `endpoint_url`, else DefaultEndpoint().
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the overrides. No trailing slash.
std::string ResolveEndpoint(const AwsEnvironment& env, const ServiceInfo& service,
                            std::string_view region);

// One call. Query pairs are raw (the client encodes them); the path is already encoded.
struct AwsRequest {
  std::string action;  // The operation, e.g. "FilterLogEvents": errors and stats name it.
  std::string method = "POST";
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<env::HttpHeader> headers;
  std::string body;
};

// Counters since construction.
struct AwsClientStats {
  uint64_t calls = 0;
  uint64_t attempts = 0;
  uint64_t throttled = 0;       // Attempts answered with a throttling error.
  uint64_t transient = 0;       // Attempts that failed with 5xx or a transport error.
  uint64_t credential_refreshes = 0;
  uint64_t failures = 0;        // Calls that returned an error.
};

struct AwsClientOptions {
  std::string region;    // REQUIRES: not empty.
  // Empty: the default https://<prefix>.<region>.amazonaws.com. Pass ResolveEndpoint(env, ...)
  // to honour the AWS_ENDPOINT_URL overrides.
  std::string endpoint;
  RetryPolicy retry;
  // Shared limiter for the account and region (TokenBucketRegistry); null: unlimited.
  TokenBucket* limiter = nullptr;
  // Per-attempt timeout; zero: the HttpClient's default.
  std::chrono::milliseconds attempt_timeout{0};
};

// Signs, sends and retries calls to one AWS service in one region.
//
// Retries: throttling (with the longer throttle backoff, and the limiter drained), 5xx and
// transport errors and timeouts, each with capped exponential backoff and full jitter, up to
// retry.max_attempts; expired credentials once, after CredentialsProvider::Invalidate().
// Everything else returns at once as AwsErrorToStatus().
//
// Thread-safety: Send() may be called from several threads. The HttpClient, CredentialsProvider,
// Clock, Sleeper and limiter are borrowed and must outlive the client.
class AwsServiceClient {
 public:
  AwsServiceClient(const ServiceInfo& service, AwsClientOptions options, env::HttpClient& http,
                   CredentialsProvider& credentials, Clock& clock,
                   Sleeper& sleeper = RealSleeper());

  // Sends `request` and returns the 2xx response, or the error as a Status.
  Result<env::HttpResponse> Send(const AwsRequest& request);

  // awsJson 1.1 (CloudWatch Logs): POST / with X-Amz-Target "<target_prefix>.<action>" and
  // Content-Type application/x-amz-json-1.1. Returns the response body.
  Result<std::string> CallJson(std::string_view target_prefix, std::string_view action,
                               std::string body);

  // rest-json (API Gateway): `method` on `path` (encoded) with query pairs and a JSON body
  // (empty for none). Returns the response body.
  Result<std::string> CallRestJson(std::string_view action, std::string_view method,
                                   std::string path,
                                   std::vector<std::pair<std::string, std::string>> query = {},
                                   std::string body = {});

  // query protocol (EC2, STS): form-encoded POST of Action, Version and `params`. Returns the
  // XML response body.
  Result<std::string> CallQuery(std::string_view action, std::string_view version,
                                std::vector<std::pair<std::string, std::string>> params = {});

  const std::string& region() const { return options_.region; }
  const std::string& endpoint() const { return endpoint_; }
  AwsClientStats stats() const;

 private:
  const ServiceInfo service_;
  const AwsClientOptions options_;
  std::string endpoint_;
  env::HttpClient& http_;
  CredentialsProvider& credentials_;
  Clock& clock_;
  Sleeper& sleeper_;
  std::atomic<uint64_t> calls_{0}, attempts_{0}, throttled_{0}, transient_{0},
      credential_refreshes_{0}, failures_{0};
};

}  // namespace gatescope::aws
