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

TEST(ConnectorConfigTest, StackVariablesHaveDefaults) {
  Result<ConnectorConfig> c = LoadConnectorConfig(Minimal());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->collection, Collection::kPush);
  EXPECT_FALSE(c->rest_execution_logs_exist);
  EXPECT_FALSE(c->http_access_logs_exist);
  EXPECT_EQ(c->http_access_log_group, "/aws/apigateway/gatescope-access");
  EXPECT_TRUE(c->enable_default_stage_logging);
  EXPECT_EQ(c->apigateway_cloudwatch_role_arn, "");
  EXPECT_EQ(c->log_retention_days, 30);
  EXPECT_TRUE(c->oauth_client_secret_arn.empty());
  EXPECT_FALSE(c->apis_s3.s3());
}

TEST(ConnectorConfigTest, ParsesTheStackVariables) {
  Env env = Minimal();
  env.erase("GATESCOPE_OAUTH_CLIENT_SECRET");
  env["GATESCOPE_OAUTH_CLIENT_SECRET_ARN"] =
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gatescope-oauth-AbCdEf";
  env["GATESCOPE_APIS"] = "s3://gatescope-123456789012-eu-west-1/apis/apis-0123456789abcdef.json";
  env["GATESCOPE_COLLECTION"] = "PULL";
  env["GATESCOPE_REST_EXECUTION_LOGS_EXIST"] = "true";
  env["GATESCOPE_HTTP_ACCESS_LOGS_EXIST"] = "true";
  env["GATESCOPE_HTTP_ACCESS_LOG_GROUP"] = "/custom/access#1";
  env["GATESCOPE_ENABLE_DEFAULT_STAGE_LOGGING"] = "false";
  env["GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN"] =
      "arn:aws:iam::123456789012:role/gatescope/apigw-logs-eu-west-1";
  env["GATESCOPE_LOG_RETENTION_DAYS"] = "3653";
  Result<ConnectorConfig> c = LoadConnectorConfig(env);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->oauth_client_secret_arn,
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gatescope-oauth-AbCdEf");
  EXPECT_TRUE(c->oauth2.client_secret.empty());  // Read on first use, not at init.
  EXPECT_EQ(c->apis_s3.bucket, "gatescope-123456789012-eu-west-1");
  EXPECT_EQ(c->apis_s3.prefix, "apis/apis-0123456789abcdef.json");
  EXPECT_TRUE(c->apis.empty());
  EXPECT_EQ(c->collection, Collection::kPull);
  EXPECT_TRUE(c->rest_execution_logs_exist);
  EXPECT_TRUE(c->http_access_logs_exist);
  EXPECT_EQ(c->http_access_log_group, "/custom/access#1");
  EXPECT_FALSE(c->enable_default_stage_logging);
  EXPECT_EQ(c->apigateway_cloudwatch_role_arn,
            "arn:aws:iam::123456789012:role/gatescope/apigw-logs-eu-west-1");
  EXPECT_EQ(c->log_retention_days, 3653);
}

TEST(ConnectorConfigTest, BadStackValuesNameTheirVariable) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"GATESCOPE_COLLECTION", "stream"},
      {"GATESCOPE_REST_EXECUTION_LOGS_EXIST", "perhaps"},
      {"GATESCOPE_HTTP_ACCESS_LOGS_EXIST", "2"},
      {"GATESCOPE_HTTP_ACCESS_LOG_GROUP", "bad group name"},
      {"GATESCOPE_HTTP_ACCESS_LOG_GROUP", std::string(513, 'a')},
      {"GATESCOPE_ENABLE_DEFAULT_STAGE_LOGGING", "on"},
      {"GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN", "arn:aws:iam::123:role/x"},
      {"GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN", "arn:aws:iam::123456789012:user/x"},
      {"GATESCOPE_LOG_RETENTION_DAYS", "31"},
      {"GATESCOPE_LOG_RETENTION_DAYS", "0"},
      {"GATESCOPE_APIS", "s3://bucket-x"},
      {"GATESCOPE_APIS", "s3://bucket-x/dir/"},
      {"GATESCOPE_APIS", "s3://B/key"},
      {"GATESCOPE_APIS", R"([{"api_id":"a","stage":"s","account_id":"12345"}])"},
      {"GATESCOPE_APIS", R"([{"api_id":"a","stage":"s","access_log_group":"a b"}])"},
  };
  for (const auto& [name, value] : cases) {
    Env env = Minimal();
    env[name] = value;
    EXPECT_EQ(ErrorOf(env).rfind(name + ": ", 0), 0u) << name << "=" << value << " -> "
                                                      << ErrorOf(env);
  }
  // The secret ARN: well formed, and exclusive with the other two ways to give the secret.
  Env env = Minimal();
  env["GATESCOPE_OAUTH_CLIENT_SECRET_ARN"] =
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:x";
  EXPECT_EQ(ErrorOf(env).rfind("GATESCOPE_OAUTH_CLIENT_SECRET_ARN: set one of", 0), 0u)
      << ErrorOf(env);
  env.erase("GATESCOPE_OAUTH_CLIENT_SECRET");
  EXPECT_EQ(ErrorOf(env), "ok");
  for (const char* bad : {"arn:aws:ssm:us-east-1:123456789012:parameter/x",
                          "arn:aws:secretsmanager:us-east-1:123456789012:secret:", "my-secret"}) {
    env["GATESCOPE_OAUTH_CLIENT_SECRET_ARN"] = bad;
    EXPECT_EQ(ErrorOf(env).rfind("GATESCOPE_OAUTH_CLIENT_SECRET_ARN: must be", 0), 0u) << bad;
  }
  env.erase("GATESCOPE_OAUTH_CLIENT_SECRET_ARN");
  EXPECT_EQ(ErrorOf(env).rfind("GATESCOPE_OAUTH_CLIENT_SECRET: required", 0), 0u);
}

TEST(ConnectorConfigTest, ApiListAccountFilter) {
  Result<std::vector<ApiStageRef>> apis = ParseApiListJson(
      "test", R"([{"api_id":"a","stage":"s"},
                  {"api_id":"b","stage":"s","account_id":"111111111111"},
                  {"api_id":"c","stage":"s","account_id":"222222222222"}])");
  ASSERT_TRUE(apis.ok()) << apis.status().message();
  EXPECT_EQ((*apis)[1].account_id, "111111111111");
  std::vector<std::string> warnings;
  std::vector<ApiStageRef> mine = FilterApisForAccount(*apis, "111111111111", &warnings);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].api_id, "a");
  EXPECT_EQ(mine[1].api_id, "b");
  EXPECT_TRUE(warnings.empty());
  // Unknown account: nothing is skipped, with a warning.
  EXPECT_EQ(FilterApisForAccount(*apis, "", &warnings).size(), 3u);
  EXPECT_EQ(warnings.size(), 1u);
  EXPECT_EQ(ParseApiListJson("GATESCOPE_APIS s3://b/k", "{").status().message().rfind(
                "GATESCOPE_APIS s3://b/k: must be a JSON array", 0),
            0u);
}

TEST(ConnectorConfigTest, ArnHelpers) {
  EXPECT_EQ(AccountOfArn("arn:aws:lambda:us-east-1:123456789012:function:f"), "123456789012");
  EXPECT_EQ(AccountOfArn("arn:aws:lambda:us-east-1:1234:function:f"), "");
  EXPECT_EQ(AccountOfArn("nonsense"), "");
  EXPECT_EQ(UnqualifiedFunctionArn("arn:aws:lambda:us-east-1:123456789012:function:f:live"),
            "arn:aws:lambda:us-east-1:123456789012:function:f");
  EXPECT_EQ(UnqualifiedFunctionArn("arn:aws:lambda:us-east-1:123456789012:function:f"),
            "arn:aws:lambda:us-east-1:123456789012:function:f");
  EXPECT_TRUE(IsValidLogGroupName("API-Gateway-Execution-Logs_abc/prod"));
  EXPECT_FALSE(IsValidLogGroupName(""));
  EXPECT_FALSE(IsValidLogGroupName("a:b"));
}

}  // namespace
}  // namespace gatescope::connector
