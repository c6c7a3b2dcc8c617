#include "aws/s3_client.h"

#include <charconv>
#include <optional>
#include <utility>

#include "aws/internal/xml_scan.h"
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

Result<ListObjectsV2Page> ParseListObjectsV2Response(std::string_view body) {
  std::vector<std::string_view> results = xml::Elements(body, "ListBucketResult");
  if (results.empty()) {
    return ParseError("s3:ListObjectsV2: response is not a ListBucketResult");
  }
  std::string_view result = results.front();
  ListObjectsV2Page page;
  for (std::string_view contents : xml::Elements(result, "Contents")) {
    std::optional<std::string> key = xml::FirstText(contents, "Key");
    if (!key.has_value() || key->empty()) continue;
    S3Object object{.key = std::move(*key)};
    std::string size = xml::FirstText(contents, "Size").value_or("");
    int64_t size_bytes = 0;
    auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), size_bytes);
    if (ec == std::errc() && end == size.data() + size.size()) object.size_bytes = size_bytes;
    object.last_modified = xml::FirstText(contents, "LastModified").value_or("");
    page.objects.push_back(std::move(object));
  }
  // Only the top-level IsTruncated counts; Contents carry none, so the first one is it.
  bool truncated = xml::FirstText(result, "IsTruncated").value_or("false") == "true";
  page.next_continuation_token = xml::FirstText(result, "NextContinuationToken").value_or("");
  if (truncated && page.next_continuation_token.empty()) {
    return ParseError("s3:ListObjectsV2: IsTruncated without a NextContinuationToken");
  }
  if (!truncated) page.next_continuation_token.clear();
  return page;
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
                                         std::vector<env::HttpHeader> headers, std::string body,
                                         std::vector<std::pair<std::string, std::string>> query) {
  if (bucket.empty()) return InvalidArgumentError("s3:" + std::string(action) + ": empty bucket");
  S3Location location = ResolveS3Location(options_.aws.region, options_.aws.endpoint, bucket, key,
                                          options_.force_path_style);
  AwsRequest request{.action = std::string(action),
                     .method = std::string(method),
                     .path = std::move(location.path),
                     .query = std::move(query),
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

Result<ListObjectsV2Page> S3Client::ListObjectsV2(std::string_view bucket,
                                                  const ListObjectsV2Request& request) {
  if (request.max_keys < 0 || request.max_keys > 1000) {
    return InvalidArgumentError("s3:ListObjectsV2: max_keys must be 0..1000");
  }
  std::vector<std::pair<std::string, std::string>> query = {{"list-type", "2"}};
  if (!request.prefix.empty()) query.emplace_back("prefix", request.prefix);
  if (!request.continuation_token.empty()) {
    query.emplace_back("continuation-token", request.continuation_token);
  }
  if (request.max_keys > 0) query.emplace_back("max-keys", std::to_string(request.max_keys));
  GS_ASSIGN_OR_RETURN(env::HttpResponse response,
                      Send("ListObjectsV2", "GET", bucket, "", {}, {}, std::move(query)));
  return ParseListObjectsV2Response(response.body);
}

Result<std::vector<S3Object>> S3Client::ListAllObjects(std::string_view bucket,
                                                       std::string_view prefix) {
  std::vector<S3Object> all;
  ListObjectsV2Request request{.prefix = std::string(prefix)};
  while (true) {
    GS_ASSIGN_OR_RETURN(ListObjectsV2Page page, ListObjectsV2(bucket, request));
    for (S3Object& object : page.objects) all.push_back(std::move(object));
    if (page.next_continuation_token.empty()) return all;
    // A token handed back unchanged would loop for ever.
    if (page.next_continuation_token == request.continuation_token) {
      return UnavailableError("s3:ListObjectsV2: the same continuation token came back");
    }
    request.continuation_token = std::move(page.next_continuation_token);
  }
}

Status S3Client::DeleteObject(std::string_view bucket, std::string_view key) {
  if (key.empty()) return InvalidArgumentError("s3:DeleteObject: empty key");
  return Send("DeleteObject", "DELETE", bucket, key, {}, {}).status();
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
