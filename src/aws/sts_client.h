#pragma once

#include <string>
#include <string_view>

#include "aws/aws_client.h"
#include "core/result.h"

namespace gatescope::aws {

// Who the credentials belong to (STS GetCallerIdentity).
struct CallerIdentity {
  std::string account;  // 12 digits.
  std::string arn;
  std::string user_id;
};

// Reads a GetCallerIdentityResponse (query protocol, XML). kParseError when the document is not
// one or has no Account.
Result<CallerIdentity> ParseGetCallerIdentityResponse(std::string_view xml);

// STS calls beyond the AssumeRole of the credential chain.
//
// Thread-safety: as the borrowed AwsServiceClient; `client` must be built with kSts and outlive
// this object.
class StsClient {
 public:
  static constexpr std::string_view kApiVersion = "2011-06-15";
  explicit StsClient(AwsServiceClient& client) : client_(client) {}

  // Needs no permission: any valid credentials may call it. Errors name
  // "sts:GetCallerIdentity".
  Result<CallerIdentity> GetCallerIdentity();

 private:
  AwsServiceClient& client_;
};

}  // namespace gatescope::aws
