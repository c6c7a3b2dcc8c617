#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "core/sha256.h"
#include "core/status.h"
#include "env/http_client.h"

namespace gatescope::aws {

// AWS Signature Version 4 (header form), on OpenSSL's SHA-256 and HMAC.
// Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
// Verified against the AWS signing test suite vendored in tests/aws/sigv4_vectors/.

struct SigV4Params {
  std::string_view region;   // "us-east-1"
  std::string_view service;  // The signing name: "logs", "apigateway", "ec2", "s3", "sts".
  std::chrono::system_clock::time_point time;
  // Remove "." and ".." segments and repeated slashes from the canonical path, and encode each
  // segment once more. True for every service but S3, which signs the path as sent.
  bool normalize_path = true;
  // Add x-amz-content-sha256 (required by S3; harmless elsewhere, but not sent unless asked).
  bool add_content_sha256 = false;
};

// The intermediate strings, exposed for the test vectors and for debugging signature mismatches.
struct SigV4Parts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // Lower-case hex.
  std::string authorization;  // The Authorization header value.
};

// Computes the signature of `request` as it stands. Every header present but Authorization is
// signed; the Host header is taken from the request if present, else derived from the URL. The
// payload hash is the value of x-amz-content-sha256 when present (so "UNSIGNED-PAYLOAD" works),
// else the SHA-256 of the body. REQUIRES: the request already carries X-Amz-Date (see
// SignRequest). Returns kInvalidArgument when the URL does not parse (env/url.h), the
// credentials lack a key id or secret, region or service is empty, or X-Amz-Date is not
// params.time.
Result<SigV4Parts> ComputeSigV4(const env::HttpRequest& request, const AwsCredentials& credentials,
                                const SigV4Params& params);

// Signs `request` in place: adds Host (if absent), X-Amz-Date, X-Amz-Security-Token (when the
// credentials carry a session token), x-amz-content-sha256 (if asked) and Authorization.
// Replaces any of these already present, so a retried request can be signed again (a stale
// X-Amz-Security-Token is removed even when the new credentials carry none). On error, returns
// what ComputeSigV4 would and leaves `request` unchanged.
Status SignRequest(env::HttpRequest& request, const AwsCredentials& credentials,
                   const SigV4Params& params);

// Lower-case hex SHA-256 of `data` (payload hashes, test helpers).
using ::gatescope::Sha256Hex;

}  // namespace gatescope::aws
