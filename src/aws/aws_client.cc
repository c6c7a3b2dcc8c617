#include "aws/aws_client.h"

#include <algorithm>
#include <random>

#include "aws/aws_error.h"
#include "aws/sigv4.h"
#include "env/url.h"

namespace gatescope::aws {
namespace {

double UnitRandom() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::string WithoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::string_view AwsDnsSuffix(std::string_view region) {
  return region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

std::string DefaultEndpoint(const ServiceInfo& service, std::string_view region) {
  return "https://" + std::string(service.endpoint_prefix) + "." + std::string(region) + "." +
         std::string(AwsDnsSuffix(region));
}

std::string ResolveEndpoint(const AwsEnvironment& env, const ServiceInfo& service,
                            std::string_view region) {
  if (env.Get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") != "true") {
    std::string specific = env.Get("AWS_ENDPOINT_URL_" + std::string(service.service_id));
    if (!specific.empty()) return WithoutTrailingSlash(std::move(specific));
    std::string global = env.Get("AWS_ENDPOINT_URL");
    if (!global.empty()) return WithoutTrailingSlash(std::move(global));
    Result<Profile> profile = LoadProfile(env, env.ProfileName());
    if (profile.ok()) {
      if (auto it = profile->find("endpoint_url"); it != profile->end() && !it->second.empty()) {
        return WithoutTrailingSlash(it->second);
      }
    }
  }
  return DefaultEndpoint(service, region);
}

AwsServiceClient::AwsServiceClient(const ServiceInfo& service, AwsClientOptions options,
                                   env::HttpClient& http, CredentialsProvider& credentials,
                                   Clock& clock, Sleeper& sleeper)
    : service_(service),
      options_(std::move(options)),
      endpoint_(options_.endpoint.empty() ? DefaultEndpoint(service, options_.region)
                                          : WithoutTrailingSlash(options_.endpoint)),
      http_(http),
      credentials_(credentials),
      clock_(clock),
      sleeper_(sleeper) {}

Result<env::HttpResponse> AwsServiceClient::Send(const AwsRequest& request) {
  ++calls_;
  const std::string call = std::string(service_.iam_prefix) + ":" + request.action;
  std::string url = endpoint_ + request.path;
  if (!request.query.empty()) url += "?" + env::EncodeQuery(request.query);
  // S3 signs the path exactly as sent and wants the payload hash header.
  const bool s3 = service_.signing_name == "s3";

  Status last = InternalError(call + ": no attempt made");
  bool refreshed_credentials = false;
  const int max_attempts = std::max(1, options_.retry.max_attempts);
  int retries = 0;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    if (options_.limiter != nullptr) options_.limiter->Acquire();
    Result<AwsCredentials> credentials = credentials_.Get();
    if (!credentials.ok()) {
      ++failures_;
      return credentials.status().WithContext(call + ": no credentials");
    }
    env::HttpRequest http{.method = request.method,
                          .url = url,
                          .headers = request.headers,
                          .body = request.body,
                          .timeout = options_.attempt_timeout};
    if (Status signed_ok = SignRequest(http, *credentials,
                                       SigV4Params{.region = options_.region,
                                                   .service = service_.signing_name,
                                                   .time = clock_.Now(),
                                                   .normalize_path = !s3,
                                                   .add_content_sha256 = s3});
        !signed_ok.ok()) {
      ++failures_;
      return signed_ok.WithContext(call);
    }
    ++attempts_;
    Result<env::HttpResponse> response = http_.Send(http);

    bool throttled = false;
    if (!response.ok()) {
      last = response.status().WithContext(call);
      if (!IsRetryable(response.status())) break;
      ++transient_;
    } else if (response->status >= 200 && response->status < 300) {
      return response;
    } else {
      const AwsError error = ParseAwsError(*response);
      last = AwsErrorToStatus(error, service_.iam_prefix, request.action);
      const AwsErrorKind kind = ClassifyAwsError(error);
      if (kind == AwsErrorKind::kExpiredCredentials && !refreshed_credentials) {
        // Credentials lapsed between Get() and the server: fetch new ones and retry at once.
        refreshed_credentials = true;
        ++credential_refreshes_;
        credentials_.Invalidate();
        continue;
      }
      if (kind == AwsErrorKind::kThrottling) {
        throttled = true;
        ++throttled_;
        if (options_.limiter != nullptr) options_.limiter->Drain();
      } else if (kind == AwsErrorKind::kTransient) {
        ++transient_;
      } else {
        break;
      }
    }
    if (attempt == max_attempts) break;
    ++retries;
    sleeper_.SleepFor(BackoffDelay(options_.retry, retries, throttled, UnitRandom()));
  }
  ++failures_;
  if (retries > 0) {
    return Status(last.code(),
                  last.message() + " [after " + std::to_string(retries + 1) + " attempts]");
  }
  return last;
}

Result<std::string> AwsServiceClient::CallJson(std::string_view target_prefix,
                                               std::string_view action, std::string body) {
  AwsRequest request{.action = std::string(action),
                     .method = "POST",
                     .path = "/",
                     .headers = {{"Content-Type", "application/x-amz-json-1.1"},
                                 {"X-Amz-Target",
                                  std::string(target_prefix) + "." + std::string(action)}},
                     .body = body.empty() ? "{}" : std::move(body)};
  GS_ASSIGN_OR_RETURN(env::HttpResponse response, Send(request));
  return std::move(response.body);
}

Result<std::string> AwsServiceClient::CallRestJson(
    std::string_view action, std::string_view method, std::string path,
    std::vector<std::pair<std::string, std::string>> query, std::string body) {
  AwsRequest request{.action = std::string(action),
                     .method = std::string(method),
                     .path = std::move(path),
                     .query = std::move(query),
                     .headers = {{"Accept", "application/json"}}};
  if (!body.empty()) {
    request.headers.push_back({"Content-Type", "application/json"});
    request.body = std::move(body);
  }
  GS_ASSIGN_OR_RETURN(env::HttpResponse response, Send(request));
  return std::move(response.body);
}

Result<std::string> AwsServiceClient::CallQuery(
    std::string_view action, std::string_view version,
    std::vector<std::pair<std::string, std::string>> params) {
  params.insert(params.begin(), {{"Action", std::string(action)}, {"Version", std::string(version)}});
  AwsRequest request{
      .action = std::string(action),
      .method = "POST",
      .path = "/",
      .headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
      .body = env::EncodeQuery(params)};
  GS_ASSIGN_OR_RETURN(env::HttpResponse response, Send(request));
  return std::move(response.body);
}

AwsClientStats AwsServiceClient::stats() const {
  return AwsClientStats{.calls = calls_.load(),
                        .attempts = attempts_.load(),
                        .throttled = throttled_.load(),
                        .transient = transient_.load(),
                        .credential_refreshes = credential_refreshes_.load(),
                        .failures = failures_.load()};
}

}  // namespace gatescope::aws
