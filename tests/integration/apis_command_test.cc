// `gatescope apis` end to end against moto_server: the default credentials chain, endpoint
// overrides and region from the environment, APIs made with the real aws CLI, the JSON report.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <sstream>

#include "commands/apis_command.h"
#include "tests/support/moto_server.h"

namespace gatescope::commands {
namespace {

using Json = nlohmann::json;

class ApisCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<testing::MotoServer*> moto = testing::SharedMotoServer();
    ASSERT_TRUE(moto.ok()) << moto.status().ToString();
    moto_ = *moto;
  }

  Json Cli(const std::vector<std::string>& args) {
    auto out = moto_->RunAwsCli(args);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() && !out->empty() ? Json::parse(*out) : Json::object();
  }

  static inline testing::MotoServer* moto_ = nullptr;
};

TEST_F(ApisCommandTest, ReportsEveryApiAndStageWithItsLogging) {
  // A REST API deployed to "prod" with execution logging at INFO and access logs.
  Json api = Cli({"apigateway", "create-rest-api", "--name", "pets"});
  const std::string rest_id = api["id"];
  const std::string root = api["rootResourceId"];
  Cli({"apigateway", "put-method", "--rest-api-id", rest_id, "--resource-id", root,
       "--http-method", "GET", "--authorization-type", "NONE"});
  Cli({"apigateway", "put-integration", "--rest-api-id", rest_id, "--resource-id", root,
       "--http-method", "GET", "--type", "MOCK"});
  Cli({"apigateway", "create-deployment", "--rest-api-id", rest_id, "--stage-name", "prod"});
  Cli({"apigateway", "update-stage", "--rest-api-id", rest_id, "--stage-name", "prod",
       "--patch-operations", "op=replace,path=/*/*/logging/loglevel,value=INFO",
       "op=replace,path=/accessLogSettings/destinationArn,"
       "value=arn:aws:logs:us-east-1:123456789012:log-group:pets-access",
       "op=replace,path=/accessLogSettings/format,value=$context.requestId"});
  // An HTTP API whose $default stage logs nothing.
  const std::string http_id =
      Cli({"apigatewayv2", "create-api", "--name", "orders", "--protocol-type", "HTTP"})["ApiId"];
  Cli({"apigatewayv2", "create-stage", "--api-id", http_id, "--stage-name", "$default"});

  auto env = aws::AwsEnvironment::FromMap(moto_->Env());
  std::ostringstream out, err;
  const int code = RunApis({.json_file = "-"}, env, SystemClock::Get(), out, err);
  ASSERT_EQ(code, kApisExitOk) << err.str();
  const Json report = Json::parse(out.str());
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0]["region"], "us-east-1");
  const Json& apis = report[0]["apis"];
  ASSERT_EQ(apis.size(), 2u) << report.dump(2);

  EXPECT_EQ(apis[0]["protocol"], "rest");
  EXPECT_EQ(apis[0]["id"], rest_id);
  const Json& prod = apis[0]["stages"][0];
  EXPECT_EQ(prod["stage"], "prod");
  EXPECT_EQ(prod["execution_logging_level"], "INFO");
  EXPECT_EQ(prod["access_log_group"], "pets-access");
  EXPECT_EQ(prod["execution_log_group"], "API-Gateway-Execution-Logs_" + rest_id + "/prod");
  EXPECT_EQ(prod["missing"], Json::array({"data_trace"}));

  EXPECT_EQ(apis[1]["protocol"], "http");
  const Json& dflt = apis[1]["stages"][0];
  EXPECT_EQ(dflt["stage"], "$default");
  EXPECT_EQ(dflt["missing"], Json::array({"access_logging"}));

  // The table names the same facts.
  std::ostringstream table, table_err;
  ASSERT_EQ(RunApis({.require_data_trace = false}, env, SystemClock::Get(), table, table_err),
            kApisExitOk);
  EXPECT_NE(table.str().find("pets-access"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("$default"), std::string::npos);
}

TEST_F(ApisCommandTest, AllRegionsComeFromDescribeRegions) {
  auto env = aws::AwsEnvironment::FromMap(moto_->Env());
  std::ostringstream out, err;
  ASSERT_EQ(RunApis({.regions = {"all"}, .json_file = "-"}, env, SystemClock::Get(), out, err),
            kApisExitOk)
      << err.str();
  const Json report = Json::parse(out.str());
  std::vector<std::string> regions;
  for (const Json& r : report) regions.push_back(r["region"]);
  EXPECT_GT(regions.size(), 10u);
  EXPECT_NE(std::find(regions.begin(), regions.end(), "eu-west-1"), regions.end());
}

TEST_F(ApisCommandTest, NoCredentialsIsOneClearLine) {
  std::map<std::string, std::string> vars = moto_->Env();
  vars.erase("AWS_ACCESS_KEY_ID");
  vars.erase("AWS_SECRET_ACCESS_KEY");
  vars["HOME"] = "/nonexistent";
  std::ostringstream out, err;
  EXPECT_EQ(RunApis({}, aws::AwsEnvironment::FromMap(vars), SystemClock::Get(), out, err),
            kApisExitUsage);
  const std::string message = err.str();
  EXPECT_NE(message.find("no AWS credentials found"), std::string::npos) << message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
}

}  // namespace
}  // namespace gatescope::commands
