#include "aws/s3_client.h"

#include <utility>

#include "env/url.h"

namespace gatescope::aws {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

bool IsVirtualHostableBucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (!IsLowerAlnum(bucket.front()) || !IsLowerAlnum(bucket.back())) return false;
  for (char c : bucket) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

S3Location ResolveS3Location(std::string_view region, std::string_view endpoint,
                             std::string_view bucket, std::string_view key, bool force_path_style) {
  std::string base = endpoint.empty() ? DefaultEndpoint(kS3, region) : std::string(endpoint);
  while (!base.empty() && base.back() == '/') base.pop_back();
  bool overridden = base != DefaultEndpoint(kS3, region);
  std::string encoded_key = env::UriEncode(key, /*keep_slash=*/true);
  if (force_path_style || overridden || !IsVirtualHostableBucket(bucket)) {
    std::string path = "/" + env::UriEncode(bucket);
    if (!key.empty()) path += "/" + encoded_key;
    return {.endpoint = std::move(base), .path = std::move(path)};
  }
  return {.endpoint = "https://" + std::string(bucket) + ".s3." + std::string(region) + "." +
                      std::string(AwsDnsSuffix(region)),
          .path = "/" + encoded_key};
}

S3Client::S3Client(S3ClientOptions options, env::HttpClient& http, CredentialsProvider& credentials,
                   Clock& clock, Sleeper& sleeper)
    : options_(std::move(options)),
      http_(http),
      credentials_(credentials),
      clock_(clock),
      sleeper_(sleeper) {}

AwsServiceClient& S3Client::ClientFor(const std::string& endpoint) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<AwsServiceClient>& client = clients_[endpoint];
  if (client == nullptr) {
    AwsClientOptions options = options_.aws;
    options.endpoint = endpoint;
    client = std::make_unique<AwsServiceClient>(kS3, std::move(options), http_, credentials_,
                                                clock_, sleeper_);
  }
  return *client;
}

Result<env::HttpResponse> S3Client::Send(std::string_view action, std::string_view method,
                                         std::string_view bucket, std::string_view key,
                                         std::vector<env::HttpHeader> headers, std::string body) {
  if (bucket.empty()) return InvalidArgumentError("s3:" + std::string(action) + ": empty bucket");
  S3Location location = ResolveS3Location(options_.aws.region, options_.aws.endpoint, bucket, key,
                                          options_.force_path_style);
  AwsRequest request{.action = std::string(action),
                     .method = std::string(method),
                     .path = std::move(location.path),
                     .query = {},
                     .headers = std::move(headers),
                     .body = std::move(body)};
  return ClientFor(location.endpoint).Send(request);
}

Result<std::string> S3Client::GetObject(std::string_view bucket, std::string_view key) {
  if (key.empty()) return InvalidArgumentError("s3:GetObject: empty key");
  GS_ASSIGN_OR_RETURN(env::HttpResponse response, Send("GetObject", "GET", bucket, key, {}, {}));
  return std::move(response.body);
}

Status S3Client::PutObject(std::string_view bucket, std::string_view key, std::string body,
                           std::string_view content_type) {
  if (key.empty()) return InvalidArgumentError("s3:PutObject: empty key");
  std::vector<env::HttpHeader> headers = {
      {.name = "Content-Type", .value = std::string(content_type)}};
  return Send("PutObject", "PUT", bucket, key, std::move(headers), std::move(body)).status();
}

Status S3Client::CreateBucket(std::string_view bucket) {
  std::string body;
  std::vector<env::HttpHeader> headers;
  // us-east-1 is the one region that takes no LocationConstraint (and rejects "us-east-1").
  if (options_.aws.region != "us-east-1") {
    body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>" +
        options_.aws.region + "</LocationConstraint></CreateBucketConfiguration>";
    headers.push_back({.name = "Content-Type", .value = "application/xml"});
  }
  return Send("CreateBucket", "PUT", bucket, "", std::move(headers), std::move(body)).status();
}

}  // namespace gatescope::aws
