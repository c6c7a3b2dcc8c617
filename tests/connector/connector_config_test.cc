#include "connector/connector_config.h"

#include <gtest/gtest.h>

namespace gatescope::connector {
namespace {

using Env = std::map<std::string, std::string>;

Env Minimal() {
  return {{"GATESCOPE_COLLECTOR_URL", "https://collector.example.com/ingest"},
          {"GATESCOPE_OAUTH_TOKEN_URL", "https://auth.example.com/oauth2/token"},
          {"GATESCOPE_OAUTH_CLIENT_ID", "client"},
          {"GATESCOPE_OAUTH_CLIENT_SECRET", "s3cr3t"}};
}

std::string ErrorOf(const Env& env) {
  Result<ConnectorConfig> c = LoadConnectorConfig(env);
  return c.ok() ? std::string("ok") : std::string(c.status().message());
}

TEST(ConnectorConfigTest, DefaultsAreSecureAndDocumented) {
  Result<ConnectorConfig> c = LoadConnectorConfig(Minimal());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->auth, AuthMode::kOAuth2);
  EXPECT_TRUE(c->verify_tls);
  EXPECT_EQ(c->batcher.max_bytes, 1000000u);
  EXPECT_TRUE(c->batcher.gzip);
  EXPECT_EQ(c->transform.max_body_bytes, 1024u);
  EXPECT_EQ(c->pull.lookback, std::chrono::minutes(5));
  EXPECT_EQ(c->pull.lag, std::chrono::seconds(60));
  EXPECT_EQ(c->deadline_margin, std::chrono::milliseconds(3000));
  EXPECT_EQ(c->oauth2.refresh_skew, std::chrono::seconds(60));
  // Every variable the loader knows is documented once.
  std::set<std::string_view> names;
  for (const auto& [name, help] : ConnectorVariables()) {
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_FALSE(help.empty()) << name;
  }
}

TEST(ConnectorConfigTest, UnknownVariableIsNamed) {
  Env env = Minimal();
  env["GATESCOPE_BATCH_MAXBYTES"] = "5000";  // A typo must not fall back to the default.
  EXPECT_EQ(ErrorOf(env).rfind("GATESCOPE_BATCH_MAXBYTES: unknown setting", 0), 0u) << ErrorOf(env);
  env.erase("GATESCOPE_BATCH_MAXBYTES");
  env["AWS_REGION"] = "eu-west-1";  // Other prefixes are not ours.
  EXPECT_EQ(ErrorOf(env), "ok");
}

TEST(ConnectorConfigTest, EachBadValueNamesItsVariable) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"GATESCOPE_BATCH_MAX_BYTES", "lots"},
      {"GATESCOPE_BATCH_MAX_BYTES", "10"},
      {"GATESCOPE_GZIP", "maybe"},
      {"GATESCOPE_GZIP_LEVEL", "13"},
      {"GATESCOPE_CONTENT_TYPE_REGEX", "(json"},
      {"GATESCOPE_STATIC_FILE_REGEX", "[a-"},
      {"GATESCOPE_SPILL", "ftp://host/x"},
      {"GATESCOPE_CHECKPOINT", "s3://A_B/x"},
      {"GATESCOPE_REGIONS", "us-east-1,Mars"},
      {"GATESCOPE_APIS", "[{\"api_id\":\"abc\"}]"},
      {"GATESCOPE_APIS", "not json"},
      {"GATESCOPE_AUTH", "kerberos"},
      {"GATESCOPE_OAUTH_AUTH_METHOD", "jwt"},
      {"GATESCOPE_LOG_LEVEL", "loud"},
      {"GATESCOPE_LAG_SECONDS", "-1"},
      {"GATESCOPE_OAUTH_TOKEN_URL", "http://auth.example.com/token"},
  };
  for (const auto& [name, value] : cases) {
    Env env = Minimal();
    env[name] = value;
    std::string error = ErrorOf(env);
    EXPECT_EQ(error.rfind(name + ": ", 0), 0u) << name << "=" << value << " -> " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
}

TEST(ConnectorConfigTest, RequiredSettingsAreNamed) {
  Env env = Minimal();
  env.erase("GATESCOPE_COLLECTOR_URL");
  EXPECT_EQ(ErrorOf(env), "GATESCOPE_COLLECTOR_URL: required");
  env = Minimal();
  env.erase("GATESCOPE_OAUTH_CLIENT_SECRET");
  EXPECT_EQ(ErrorOf(env).rfind("GATESCOPE_OAUTH_CLIENT_SECRET: required", 0), 0u);
  env = {{"GATESCOPE_COLLECTOR_URL", "https://c.example.com/"}, {"GATESCOPE_AUTH", "token"}};
  EXPECT_EQ(ErrorOf(env).rfind("GATESCOPE_TOKEN: required", 0), 0u);
  env["GATESCOPE_AUTH"] = "none";
  EXPECT_EQ(ErrorOf(env), "ok");
}

TEST(ConnectorConfigTest, PlainHttpOnlyToLoopback) {
  Env env = Minimal();
  env["GATESCOPE_COLLECTOR_URL"] = "http://collector.example.com/ingest";
  EXPECT_EQ(ErrorOf(env).rfind("GATESCOPE_COLLECTOR_URL: plain http://", 0), 0u);
  env["GATESCOPE_COLLECTOR_URL"] = "http://127.0.0.1:8080/ingest";
  EXPECT_EQ(ErrorOf(env), "ok");
  env["GATESCOPE_COLLECTOR_URL"] = "http://127.0.0.1.evil.com/ingest";
  EXPECT_NE(ErrorOf(env), "ok");
}

TEST(ConnectorConfigTest, ErrorsNeverEchoTheSecret) {
  Env env = Minimal();
  env["GATESCOPE_OAUTH_TOKEN_URL"] = "ftp://x";
  EXPECT_EQ(ErrorOf(env).find("s3cr3t"), std::string::npos);
}

TEST(ConnectorConfigTest, ParsesListsLocationsAndApis) {
  Env env = Minimal();
  env["GATESCOPE_SPILL"] = "s3://my-bucket/gatescope/spill";
  env["GATESCOPE_CHECKPOINT"] = "/var/lib/gatescope";
  env["GATESCOPE_REGIONS"] = "us-east-1, eu-west-1";
  env["GATESCOPE_LOG_GROUPS"] = "/aws/apigw/a,,/aws/apigw/b ";
  env["GATESCOPE_APIS"] =
      R"([{"api_id":"abc123","stage":"prod"},{"region":"eu-west-1","api_id":"h1","stage":"$default","access_log_group":"/http/h1"}])";
  env["AWS_LAMBDA_FUNCTION_NAME"] = "gatescope-connector";
  Result<ConnectorConfig> c = LoadConnectorConfig(env);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->spill.bucket, "my-bucket");
  EXPECT_EQ(c->spill.prefix, "gatescope/spill/");
  EXPECT_EQ(c->checkpoint.dir, "/var/lib/gatescope");
  EXPECT_EQ(c->regions, (std::vector<std::string>{"us-east-1", "eu-west-1"}));
  EXPECT_EQ(c->log_groups, (std::vector<std::string>{"/aws/apigw/a", "/aws/apigw/b"}));
  ASSERT_EQ(c->apis.size(), 2u);
  EXPECT_EQ(c->apis[1].access_log_group, "/http/h1");
  EXPECT_EQ(c->own_log_group, "/aws/lambda/gatescope-connector");
}

}  // namespace
}  // namespace gatescope::connector
