#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "aws/apigateway_client.h"
#include "aws/aws_client.h"
#include "aws/aws_environment.h"
#include "aws/cloudwatch_logs_client.h"
#include "aws/credentials.h"
#include "aws/retry.h"
#include "aws/s3_client.h"
#include "aws/secrets_manager_client.h"
#include "aws/sts_client.h"
#include "core/clock.h"
#include "env/http_client.h"

namespace gatescope::connector {

// The AWS clients a connector needs, one set per region, built on first use and kept: warm
// Lambda invocations and `ship`'s runs reuse connections and cached credentials. Nothing here
// touches the network until a client is used, so the Lambda init stays fast.
//
// Calls share one rate limiter per region and service (aws::kDefaultRequestsPerSecond, below
// the 5 TPS FilterLogEvents quota).
//
// Thread-safety: the accessors are thread-safe; the clients are (see aws/aws_client.h).
class AwsAccess {
 public:
  // Borrows `http` and `clock`, which must outlive it.
  AwsAccess(aws::AwsEnvironment env, env::HttpClient& http, Clock& clock);
  ~AwsAccess();

  // AWS_REGION, AWS_DEFAULT_REGION or the profile's; kInvalidArgument when none is set.
  Result<std::string> DefaultRegion() const;

  aws::CloudWatchLogsClient& Logs(const std::string& region);
  aws::ApiGatewayClient& RestApis(const std::string& region);
  aws::ApiGatewayV2Client& HttpApis(const std::string& region);
  aws::S3Client& S3(const std::string& region);
  aws::SecretsManagerClient& SecretsManager(const std::string& region);
  aws::StsClient& Sts(const std::string& region);

  // The account the connector runs in: set from the Lambda function's ARN (SetAccountId), else
  // asked of STS GetCallerIdentity once (in the default region) and kept. Empty when neither
  // works (`problem`, when not null, then says why).
  std::string AccountId(std::string* problem = nullptr);
  void SetAccountId(std::string account_id);

 private:
  struct Regional;
  Regional& For(const std::string& region);

  aws::AwsEnvironment env_;
  env::HttpClient& http_;
  Clock& clock_;
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  aws::TokenBucketRegistry limiters_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Regional>> regions_;  // Guarded by mu_.
  std::mutex account_mu_;
  std::string account_id_;  // Guarded by account_mu_.
  bool account_asked_ = false;  // Guarded by account_mu_: STS is asked at most once.
  std::string account_problem_;  // Guarded by account_mu_.
};

}  // namespace gatescope::connector
