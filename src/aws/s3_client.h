#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/retry.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/status.h"
#include "env/http_client.h"

namespace gatescope::aws {

struct S3ClientOptions {
  // Region, retries, limiter and timeout for every request. `aws.endpoint` empty, or the
  // default "https://s3.<region>.amazonaws.com": real S3; anything else (moto, MinIO, a VPC
  // endpoint) is an override and is addressed path-style.
  AwsClientOptions aws;
  // Path-style addressing for every bucket, even on real S3.
  bool force_path_style = false;
};

// Where one S3 request goes: the endpoint (scheme and host) and the encoded path.
struct S3Location {
  std::string endpoint;  // "https://bucket.s3.eu-west-1.amazonaws.com" or the base endpoint.
  std::string path;      // "/key" (virtual-hosted) or "/bucket/key" (path-style).
};

// True when `bucket` can be a host label of bucket.s3.<region>.amazonaws.com over TLS: 3-63
// characters of [a-z0-9-], starting and ending alphanumeric. Dotted names are valid buckets but
// break the *.s3 wildcard certificate, so they are addressed path-style.
bool IsVirtualHostableBucket(std::string_view bucket);

// The addressing rule: path-style (base endpoint, "/<bucket>/<key>") when `force_path_style`,
// when `endpoint` overrides real S3, or when the bucket is not virtual-hostable; otherwise
// virtual-hosted ("https://<bucket>.s3.<region>.amazonaws.com", "/<key>"). The key is
// UriEncode()d with '/' kept; an empty key addresses the bucket itself.
S3Location ResolveS3Location(std::string_view region, std::string_view endpoint,
                             std::string_view bucket, std::string_view key, bool force_path_style);

// One object of a ListObjectsV2 page.
struct S3Object {
  std::string key;
  int64_t size_bytes = 0;
  std::string last_modified;  // As sent: ISO 8601, e.g. "2024-01-02T03:04:05.000Z".
};

struct ListObjectsV2Request {
  std::string prefix;              // Empty: every key.
  std::string continuation_token;  // Empty for the first page; else the last page's token.
  int max_keys = 0;                // 1..1000; 0 leaves the service default (1,000).
};

struct ListObjectsV2Page {
  std::vector<S3Object> objects;  // In UTF-8 binary order of key (S3).
  // Empty: this was the last page; else pass it as continuation_token for the next one.
  std::string next_continuation_token;
};

// Parses a ListObjectsV2 response body (ListBucketResult). Contents without a Key are skipped.
// Returns kParseError when the body is not a ListBucketResult, or says IsTruncated=true without
// a NextContinuationToken (a cursor that cannot go on).
Result<ListObjectsV2Page> ParseListObjectsV2Response(std::string_view xml);

// Object reads and writes on S3, for state and configuration the connector keeps in a bucket.
//
// Thread-safety: all methods may be called from several threads. The HttpClient,
// CredentialsProvider, Clock and Sleeper are borrowed and must outlive the client.
//
// Errors are AwsServiceClient's, naming "s3:<Action>": NoSuchKey and NoSuchBucket are kNotFound,
// AccessDenied kPermissionDenied, SlowDown and 5xx are retried and end as kResourceExhausted or
// kUnavailable; an empty bucket or key is kInvalidArgument.
class S3Client {
 public:
  S3Client(S3ClientOptions options, env::HttpClient& http, CredentialsProvider& credentials,
           Clock& clock, Sleeper& sleeper = RealSleeper());
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // The object's bytes.
  Result<std::string> GetObject(std::string_view bucket, std::string_view key);

  // Stores `body` under `key`, replacing any object there.
  Status PutObject(std::string_view bucket, std::string_view key, std::string body,
                   std::string_view content_type = "application/octet-stream");

  // One page of the keys of `bucket` that start with request.prefix, in key order.
  // kInvalidArgument when max_keys is outside 0..1000.
  Result<ListObjectsV2Page> ListObjectsV2(std::string_view bucket,
                                          const ListObjectsV2Request& request);

  // Every object whose key starts with `prefix`, following continuation tokens to the end.
  Result<std::vector<S3Object>> ListAllObjects(std::string_view bucket, std::string_view prefix);

  // Deletes the object under `key`. S3 answers 204 whether or not the key existed, so a missing
  // key is not an error (NoSuchBucket is kNotFound).
  Status DeleteObject(std::string_view bucket, std::string_view key);

  // Creates `bucket` in the client's region (a LocationConstraint outside us-east-1). Meant for
  // tests and setup; BucketAlreadyOwnedByYou is kInvalidArgument.
  Status CreateBucket(std::string_view bucket);

 private:
  // The AwsServiceClient for one endpoint, created on first use: virtual-hosted requests go to
  // one host per bucket, and AwsServiceClient sends to a fixed endpoint.
  AwsServiceClient& ClientFor(const std::string& endpoint);
  Result<env::HttpResponse> Send(std::string_view action, std::string_view method,
                                 std::string_view bucket, std::string_view key,
                                 std::vector<env::HttpHeader> headers, std::string body,
                                 std::vector<std::pair<std::string, std::string>> query = {});

  const S3ClientOptions options_;
  env::HttpClient& http_;
  CredentialsProvider& credentials_;
  Clock& clock_;
  Sleeper& sleeper_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<AwsServiceClient>> clients_;  // Guarded by mu_.
};

}  // namespace gatescope::aws
