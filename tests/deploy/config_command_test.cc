// `gatescope config check` end to end: the exit codes, the outputs, and `--aws` against
// moto_server's DescribeRegions; a bad .env must never reach AWS (a recording loopback server
// stands in for the endpoint and must see no request).
#include "commands/config_command.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/loopback_server.h"
#include "tests/support/moto_server.h"
#include "tests/support/test_util.h"

namespace gatescope::commands {
namespace {

constexpr std::string_view kGoodEnv =
    "GATESCOPE_COLLECTOR_URL=https://inventory.corp.internal/v1/batches\n"
    "GATESCOPE_OAUTH_TOKEN_URL=https://inventory.corp.internal/oauth2/token\n"
    "GATESCOPE_OAUTH_CLIENT_ID=connector\n"
    "GATESCOPE_OAUTH_CLIENT_SECRET=s3cr3t\n";

// Fake credentials and nothing else from this machine; AWS_ENDPOINT_URL = `endpoint`.
std::map<std::string, std::string> OfflineEnv(const std::string& endpoint) {
  return {{"AWS_ACCESS_KEY_ID", "testing"},
          {"AWS_SECRET_ACCESS_KEY", "testing"},
          {"AWS_REGION", "us-east-1"},
          {"AWS_CONFIG_FILE", "/dev/null"},
          {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
          {"AWS_EC2_METADATA_DISABLED", "true"},
          {"AWS_ENDPOINT_URL", endpoint}};
}

struct CheckRun {
  int code;
  std::string out;
  std::string err;
};

class ConfigCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_.Write("gatescope-lambda-x86_64.zip", std::string("PK\x03\x04", 4)); }

  CheckRun Check(std::string_view env_text, ConfigCheckOptions options,
                 const std::map<std::string, std::string>& vars) {
    options.env_file = dir_.Write(".env", env_text);
    std::ostringstream out, err;
    const int code =
        RunConfigCheck(options, aws::AwsEnvironment::FromMap(vars), SystemClock::Get(), out, err);
    return {code, out.str(), err.str()};
  }

  testing::TempDir dir_;
};

TEST_F(ConfigCommandTest, BadEnvNeverReachesAws) {
  testing::LoopbackServer recorder;
  std::atomic<int> requests{0};
  recorder.server().Post(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    res.status = 403;
    res.set_content(
        "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not "
        "authorized to perform this operation.</Message></Error></Errors></Response>",
        "text/xml");
  });
  recorder.Start();
  const std::string bad = std::string(kGoodEnv) + "GATESCOPE_REGIONS=us-east-1,nowhere-1\n";

  CheckRun r = Check(bad, {.format = "shell", .aws = true}, OfflineEnv(recorder.url()));
  EXPECT_EQ(r.code, kConfigExitProblems) << r.err;
  EXPECT_NE(r.err.find(".env:5: GATESCOPE_REGIONS: \"nowhere-1\""), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(requests.load(), 0);

  // Nothing listening at all: still a plain offline failure.
  const std::string closed = "http://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort());
  r = Check(bad, {.aws = true}, OfflineEnv(closed));
  EXPECT_EQ(r.code, kConfigExitProblems) << r.err;

  // The control: the same recorder does see the call of a clean .env, whose refusal means the
  // AWS check could not run (exit 1).
  r = Check(kGoodEnv, {.aws = true}, OfflineEnv(recorder.url()));
  EXPECT_EQ(r.code, kConfigExitAwsFailed) << r.err;
  EXPECT_GE(requests.load(), 1);
  EXPECT_NE(r.err.find("DescribeRegions"), std::string::npos) << r.err;
}

TEST_F(ConfigCommandTest, OfflineOutputsAndExitCodes) {
  CheckRun r = Check(kGoodEnv, {.format = "json"}, {});
  ASSERT_EQ(r.code, kConfigExitOk) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["GS_REGIONS"], nlohmann::json::array({"all"}));
  EXPECT_EQ(j["GS_OAUTH_CLIENT_SECRET"], "***");

  r = Check(kGoodEnv, {}, {});
  ASSERT_EQ(r.code, kConfigExitOk) << r.err;
  EXPECT_NE(r.out.find("GATESCOPE_OAUTH_CLIENT_SECRET=***"), std::string::npos) << r.out;

  r = Check(std::string(kGoodEnv) + "GATESCOPE_AUTH=none\n", {.format = "shell"}, {});
  EXPECT_EQ(r.code, kConfigExitProblems);  // OAuth keys with AUTH=none.

  r = Check(
      "GATESCOPE_COLLECTOR_URL=https://inventory.corp.internal/v1/batches\nGATESCOPE_AUTH=none\n",
      {.format = "shell"}, {});
  EXPECT_EQ(r.code, kConfigExitOk) << r.err;
  EXPECT_NE(r.err.find(".env:2: warning: GATESCOPE_AUTH: "), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("GS_AUTH='none'\n"), std::string::npos);

  r = Check(kGoodEnv, {.format = "yaml"}, {});
  EXPECT_EQ(r.code, kConfigExitProblems);

  std::ostringstream out, err;
  EXPECT_EQ(RunConfigCheck({.env_file = dir_.File("absent.env")}, aws::AwsEnvironment::FromMap({}),
                           SystemClock::Get(), out, err),
            kConfigExitProblems);
  EXPECT_NE(err.str().find("absent.env: the .env does not exist"), std::string::npos) << err.str();
}

class ConfigCommandMotoTest : public ConfigCommandTest {
 protected:
  static void SetUpTestSuite() {
    Result<testing::MotoServer*> moto = testing::SharedMotoServer();
    ASSERT_TRUE(moto.ok()) << moto.status().ToString();
    moto_ = *moto;
  }
  static inline testing::MotoServer* moto_ = nullptr;
};

TEST_F(ConfigCommandMotoTest, ReportsListedRegionsThatAreNotEnabled) {
  // moto reports me-south-1 as not-opted-in and us-east-1 / eu-west-1 as enabled.
  CheckRun r = Check(std::string(kGoodEnv) + "GATESCOPE_REGIONS=us-east-1,me-south-1,eu-west-1\n",
                     {.format = "shell", .aws = true}, moto_->Env());
  EXPECT_EQ(r.code, kConfigExitProblems) << r.err;
  EXPECT_NE(r.err.find(".env:5: GATESCOPE_REGIONS: me-south-1 is not enabled in this account "
                       "(opt-in status not-opted-in)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("eu-west-1"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");

  r = Check(std::string(kGoodEnv) + "GATESCOPE_REGIONS=us-east-1,eu-west-1\n",
            {.format = "shell", .aws = true}, moto_->Env());
  EXPECT_EQ(r.code, kConfigExitOk) << r.err;
  EXPECT_NE(r.out.find("GS_REGIONS='us-east-1 eu-west-1'\n"), std::string::npos) << r.out;
}

TEST_F(ConfigCommandMotoTest, ResolvesAllToTheEnabledRegionsOfThePartition) {
  CheckRun r = Check(kGoodEnv, {.format = "json", .aws = true}, moto_->Env());
  ASSERT_EQ(r.code, kConfigExitOk) << r.err;
  std::vector<std::string> regions = nlohmann::json::parse(r.out)["GS_REGIONS"];
  auto has = [&](std::string_view name) {
    return std::find(regions.begin(), regions.end(), name) != regions.end();
  };
  EXPECT_TRUE(has("us-east-1"));
  EXPECT_TRUE(has("eu-west-1"));
  EXPECT_FALSE(has("me-south-1"));     // Not opted in.
  EXPECT_FALSE(has("cn-north-1"));     // Another partition.
  EXPECT_FALSE(has("us-gov-west-1"));  // Another partition.
  EXPECT_FALSE(has("all"));
}

}  // namespace
}  // namespace gatescope::commands
