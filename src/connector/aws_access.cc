#include "connector/aws_access.h"

namespace gatescope::connector {

struct AwsAccess::Regional {
  std::unique_ptr<aws::AwsServiceClient> logs_client, v1_client, v2_client, sm_client,
      sts_client;
  std::unique_ptr<aws::SecretsManagerClient> secrets;
  std::unique_ptr<aws::StsClient> sts;
  std::unique_ptr<aws::CloudWatchLogsClient> logs;
  std::unique_ptr<aws::ApiGatewayClient> v1;
  std::unique_ptr<aws::ApiGatewayV2Client> v2;
  std::unique_ptr<aws::S3Client> s3;
};

AwsAccess::AwsAccess(aws::AwsEnvironment env, env::HttpClient& http, Clock& clock)
    : env_(std::move(env)),
      http_(http),
      clock_(clock),
      credentials_(aws::NewDefaultCredentialsChain(env_, http_, clock_)),
      limiters_(aws::kDefaultRequestsPerSecond, 1.0, clock, aws::RealSleeper()) {}

AwsAccess::~AwsAccess() = default;

Result<std::string> AwsAccess::DefaultRegion() const { return aws::ResolveRegion(env_); }

AwsAccess::Regional& AwsAccess::For(const std::string& region) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<Regional>& r = regions_[region];
  if (r != nullptr) return *r;
  r = std::make_unique<Regional>();
  auto options = [&](const aws::ServiceInfo& service) {
    return aws::AwsClientOptions{
        .region = region,
        .endpoint = aws::ResolveEndpoint(env_, service, region),
        .limiter = &limiters_.For(region + "/" + std::string(service.signing_name))};
  };
  r->logs_client = std::make_unique<aws::AwsServiceClient>(
      aws::kCloudWatchLogs, options(aws::kCloudWatchLogs), http_, *credentials_, clock_);
  r->v1_client = std::make_unique<aws::AwsServiceClient>(
      aws::kApiGateway, options(aws::kApiGateway), http_, *credentials_, clock_);
  r->v2_client = std::make_unique<aws::AwsServiceClient>(
      aws::kApiGatewayV2, options(aws::kApiGatewayV2), http_, *credentials_, clock_);
  r->logs = std::make_unique<aws::CloudWatchLogsClient>(*r->logs_client);
  r->v1 = std::make_unique<aws::ApiGatewayClient>(*r->v1_client);
  r->v2 = std::make_unique<aws::ApiGatewayV2Client>(*r->v2_client);
  r->sm_client = std::make_unique<aws::AwsServiceClient>(
      aws::kSecretsManager, options(aws::kSecretsManager), http_, *credentials_, clock_);
  r->secrets = std::make_unique<aws::SecretsManagerClient>(*r->sm_client);
  r->sts_client = std::make_unique<aws::AwsServiceClient>(aws::kSts, options(aws::kSts), http_,
                                                          *credentials_, clock_);
  r->sts = std::make_unique<aws::StsClient>(*r->sts_client);
  r->s3 = std::make_unique<aws::S3Client>(aws::S3ClientOptions{.aws = options(aws::kS3)}, http_,
                                          *credentials_, clock_);
  return *r;
}

aws::CloudWatchLogsClient& AwsAccess::Logs(const std::string& region) { return *For(region).logs; }
aws::ApiGatewayClient& AwsAccess::RestApis(const std::string& region) { return *For(region).v1; }
aws::ApiGatewayV2Client& AwsAccess::HttpApis(const std::string& region) { return *For(region).v2; }
aws::S3Client& AwsAccess::S3(const std::string& region) { return *For(region).s3; }
aws::SecretsManagerClient& AwsAccess::SecretsManager(const std::string& region) {
  return *For(region).secrets;
}
aws::StsClient& AwsAccess::Sts(const std::string& region) { return *For(region).sts; }

void AwsAccess::SetAccountId(std::string account_id) {
  if (account_id.empty()) return;
  std::lock_guard<std::mutex> lock(account_mu_);
  account_id_ = std::move(account_id);
}

std::string AwsAccess::AccountId(std::string* problem) {
  std::lock_guard<std::mutex> lock(account_mu_);
  if (account_id_.empty() && !account_asked_) {
    account_asked_ = true;
    Result<std::string> region = DefaultRegion();
    if (!region.ok()) {
      account_problem_ = std::string(region.status().message());
    } else if (Result<aws::CallerIdentity> id = Sts(*region).GetCallerIdentity(); id.ok()) {
      account_id_ = id->account;
    } else {
      account_problem_ = std::string(id.status().message());
    }
  }
  if (problem != nullptr && account_id_.empty()) *problem = account_problem_;
  return account_id_;
}

}  // namespace gatescope::connector
