// SecretsManagerClient, StsClient and CloudWatchLogsClient::PutRetentionPolicy against a real
// moto_server on a loopback port, with the aws CLI on the other side.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/cloudwatch_logs_client.h"
#include "aws/secrets_manager_client.h"
#include "aws/sts_client.h"
#include "core/clock.h"
#include "tests/support/moto_server.h"
#include "tests/support/moto_test.h"

namespace gatescope::aws {
namespace {

using Json = nlohmann::json;

TEST(SecretsManagerParseTest, ReadsSecretStringAndRefusesBinary) {
  Result<SecretValue> v = ParseGetSecretValueResponse(
      R"({"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbC","Name":"s",)"
      R"("VersionId":"v1","SecretString":"p\"ss","VersionStages":["AWSCURRENT"]})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->secret_string, "p\"ss");
  EXPECT_EQ(v->version_id, "v1");
  Result<SecretValue> binary = ParseGetSecretValueResponse(
      R"({"ARN":"arn:x","SecretBinary":"c2VjcmV0"})");
  EXPECT_EQ(binary.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(binary.status().message().find("c2VjcmV0"), std::string_view::npos);
  for (std::string_view bad : {"", "[]", "{", "null"}) {
    EXPECT_EQ(ParseGetSecretValueResponse(bad).status().code(), StatusCode::kParseError) << bad;
  }
  EXPECT_EQ(SecretArnRegion("arn:aws:secretsmanager:eu-west-3:123456789012:secret:x"),
            "eu-west-3");
  EXPECT_EQ(SecretArnRegion("arn:aws:s3:::bucket"), "");
}

TEST(StsParseTest, ReadsCallerIdentity) {
  Result<CallerIdentity> id = ParseGetCallerIdentityResponse(
      R"(<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>
    <UserId>AROA:s</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>x</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>)");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->account, "123456789012");
  EXPECT_EQ(id->arn, "arn:aws:sts::123456789012:assumed-role/r/s");
  EXPECT_EQ(ParseGetCallerIdentityResponse("<x/>").status().code(), StatusCode::kParseError);
  EXPECT_EQ(ParseGetCallerIdentityResponse(
                "<GetCallerIdentityResult><Arn>a</Arn></GetCallerIdentityResult>")
                .status()
                .code(),
            StatusCode::kParseError);
}

class SecretsStsTest : public testing::MotoTest {
 protected:
  std::unique_ptr<AwsServiceClient> Service(const ServiceInfo& service) {
    return std::make_unique<AwsServiceClient>(
        service,
        AwsClientOptions{.region = "us-east-1",
                         .endpoint = moto_->endpoint(),
                         .retry = RetryPolicy{.max_attempts = 2,
                                              .base_delay = std::chrono::milliseconds(1),
                                              .max_delay = std::chrono::milliseconds(2)}},
        *http_, *credentials_, SystemClock::Get());
  }
  Json Cli(const std::vector<std::string>& args) {
    Result<std::string> out = moto_->RunAwsCli(args);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    if (!out.ok() || out->find_first_not_of(" \r\n") == std::string::npos) return nullptr;
    return Json::parse(*out);
  }
};

TEST_F(SecretsStsTest, GetSecretValueReadsTheCurrentVersion) {
  Json created = Cli({"secretsmanager", "create-secret", "--name", "gatescope/oauth",
                      "--secret-string", "first-secret"});
  std::string arn = created["ARN"];
  auto service = Service(kSecretsManager);
  SecretsManagerClient client(*service);
  Result<SecretValue> v = client.GetSecretValue(arn);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->secret_string, "first-secret");
  EXPECT_EQ(v->arn, arn);
  // A rotation (new AWSCURRENT version) is what the next read returns.
  Cli({"secretsmanager", "put-secret-value", "--secret-id", arn, "--secret-string", "second"});
  v = client.GetSecretValue(arn);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->secret_string, "second");
  Result<SecretValue> missing =
      client.GetSecretValue("arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("secretsmanager:GetSecretValue"), std::string::npos);
}

TEST_F(SecretsStsTest, GetCallerIdentityGivesTheAccount) {
  auto service = Service(kSts);
  StsClient sts(*service);
  Result<CallerIdentity> id = sts.GetCallerIdentity();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->account, "123456789012");  // moto's default account.
}

TEST_F(SecretsStsTest, PutRetentionPolicySetsTheRetention) {
  auto service = Service(kCloudWatchLogs);
  CloudWatchLogsClient logs(*service);
  ASSERT_TRUE(logs.CreateLogGroup("/gs/retention").ok());
  ASSERT_TRUE(logs.PutRetentionPolicy("/gs/retention", 14).ok());
  Json groups = Cli({"logs", "describe-log-groups", "--log-group-name-prefix", "/gs/retention"});
  ASSERT_EQ(groups["logGroups"].size(), 1u);
  EXPECT_EQ(groups["logGroups"][0]["retentionInDays"], 14);
  EXPECT_EQ(logs.PutRetentionPolicy("/gs/none", 14).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace gatescope::aws
