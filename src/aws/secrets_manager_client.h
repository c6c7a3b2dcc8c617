#pragma once

#include <string>
#include <string_view>

#include "aws/aws_client.h"
#include "core/result.h"

namespace gatescope::aws {

inline constexpr ServiceInfo kSecretsManager{"SECRETS_MANAGER", "secretsmanager",
                                             "secretsmanager", "secretsmanager"};

// The awsJson 1.1 target prefix of Secrets Manager operations (botocore metadata).
inline constexpr std::string_view kSecretsManagerTargetPrefix = "secretsmanager";

// What GetSecretValue returned. Never log `secret_string`.
struct SecretValue {
  std::string arn;
  std::string version_id;
  std::string secret_string;
};

// Reads a GetSecretValue response body. kParseError when it is not a JSON object;
// kInvalidArgument when the secret has no SecretString (a binary secret: gatescope only reads
// text secrets). The error never carries the secret.
Result<SecretValue> ParseGetSecretValueResponse(std::string_view body);

// The one Secrets Manager call the connector needs.
//
// Thread-safety: as the borrowed AwsServiceClient (thread-safe); `client` must be built with
// kSecretsManager and outlive this object. Errors name "secretsmanager:GetSecretValue":
// ResourceNotFoundException kNotFound, AccessDeniedException kPermissionDenied, and so on.
class SecretsManagerClient {
 public:
  explicit SecretsManagerClient(AwsServiceClient& client) : client_(client) {}

  // The current (AWSCURRENT) value of the secret named by `secret_id` (a name or an ARN).
  Result<SecretValue> GetSecretValue(std::string_view secret_id);

 private:
  AwsServiceClient& client_;
};

// The region of a Secrets Manager ARN ("arn:aws:secretsmanager:eu-west-1:..." -> "eu-west-1"),
// empty when `arn` is not one.
std::string SecretArnRegion(std::string_view arn);

}  // namespace gatescope::aws
