// The gatescope binary as a Lambda custom runtime (`bootstrap`), driven by a Runtime API
// emulator: subscription events and a scheduled pull (against moto_server) are delivered to a
// fake collector; a bad configuration is reported to /runtime/init/error.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/connector/fake_collector.h"
#include "tests/support/test_util.h"
#include "tests/support/moto_server.h"
#include "tests/support/runtime_api_emulator.h"

namespace gatescope::connector {
namespace {

using testing::AccessLogLine;
using testing::FakeCollector;
using testing::MakeSubscriptionEvent;
using testing::RuntimeApiEmulator;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class LambdaRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("GS_GATESCOPE_BIN");
    ASSERT_NE(bin, nullptr) << "GS_GATESCOPE_BIN is set by CMake";
    dir_ = temp_.path();
    // Lambda runs the file named `bootstrap`: the same binary, recognised by its name.
    std::filesystem::create_symlink(bin, dir_ / "bootstrap");
    collector_.Start();
    emulator_.Start();
  }
  void TearDown() override {
    emulator_.Shutdown();
    if (pid_ > 0) {
      // The runtime exits once /next answers 500; a stuck one is killed.
      for (int i = 0; i < 100 && waitpid(pid_, &status_, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (waitpid(pid_, &status_, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status_, 0);
      }
    }
    emulator_.Stop();
  }

  std::map<std::string, std::string> Env() const {
    return {{"AWS_LAMBDA_RUNTIME_API", emulator_.endpoint()},
            {"AWS_LAMBDA_FUNCTION_NAME", "gatescope-connector"},
            {"AWS_REGION", "us-east-1"},
            {"AWS_EC2_METADATA_DISABLED", "true"},
            {"GATESCOPE_COLLECTOR_URL", collector_.ingest_url()},
            {"GATESCOPE_OAUTH_TOKEN_URL", collector_.token_url()},
            {"GATESCOPE_OAUTH_CLIENT_ID", "connector"},
            {"GATESCOPE_OAUTH_CLIENT_SECRET", "s3cr3t"},
            {"GATESCOPE_SPILL", (dir_ / "spill").string()},
            {"GATESCOPE_DEADLINE_MARGIN_MS", "500"}};
  }

  void Launch(const std::map<std::string, std::string>& env) {
    std::string log = (dir_ / "runtime.log").string();
    std::string bootstrap = (dir_ / "bootstrap").string();
    pid_ = fork();
    if (pid_ == 0) {
      clearenv();
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(fd, 1);
      dup2(fd, 2);
      execl(bootstrap.c_str(), "bootstrap", static_cast<char*>(nullptr));
      _exit(127);
    }
    ASSERT_GT(pid_, 0);
  }

  std::string Log() const {
    std::ifstream f(dir_ / "runtime.log");
    return std::string(std::istreambuf_iterator<char>(f), {});
  }

  testing::TempDir temp_;
  std::filesystem::path dir_;
  FakeCollector collector_;
  RuntimeApiEmulator emulator_;
  pid_t pid_ = -1;
  int status_ = 0;
};

TEST_F(LambdaRuntimeTest, SubscriptionEventsAreDeliveredAndAnswered) {
  Launch(Env());
  std::vector<std::string> lines;
  for (int i = 0; i < 120; ++i) lines.push_back(AccessLogLine(i, 1763700000000 + i));
  std::string id1 = emulator_.Enqueue(
      MakeSubscriptionEvent("API-Gateway-Access-Logs_a1b2c3d4e5/prod", "s1",
                            {lines.begin(), lines.begin() + 60}, 1763700000000),
      NowMs() + 20000);
  std::string id2 = emulator_.Enqueue(
      MakeSubscriptionEvent("API-Gateway-Access-Logs_a1b2c3d4e5/prod", "s2",
                            {lines.begin() + 60, lines.end()}, 1763700000060),
      NowMs() + 20000);
  ASSERT_TRUE(emulator_.WaitForOutcomes(2, std::chrono::seconds(30))) << Log();
  for (const RuntimeApiEmulator::Outcome& o : emulator_.outcomes()) {
    EXPECT_EQ(o.kind, RuntimeApiEmulator::Outcome::kResponse) << o.body;
    nlohmann::json summary = nlohmann::json::parse(o.body);
    EXPECT_EQ(summary["events_delivered"], 60) << o.body;
    EXPECT_EQ(summary["counters_add_up"], true);
  }
  std::vector<std::string> ids = collector_.ids();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 120u);
  EXPECT_EQ(collector_.token_requests(), 1) << "the token is kept across warm invocations";
  // One EMF summary line per invocation on stdout, and no secret anywhere.
  std::string log = Log();
  EXPECT_NE(log.find("\"CloudWatchMetrics\""), std::string::npos) << log;
  EXPECT_EQ(log.find("s3cr3t"), std::string::npos);
}

TEST_F(LambdaRuntimeTest, AScheduledEventPullsFromCloudWatchLogs) {
  Result<testing::MotoServer*> moto = testing::SharedMotoServer();
  ASSERT_TRUE(moto.ok()) << moto.status().message();
  ASSERT_TRUE((*moto)->Reset().ok());
  const std::string group = "/aws/apigateway/access/a1b2c3d4e5/prod";
  ASSERT_TRUE((*moto)->RunAwsCli({"logs", "create-log-group", "--log-group-name", group}).ok());
  ASSERT_TRUE((*moto)->RunAwsCli({"logs", "create-log-stream", "--log-group-name", group,
                                  "--log-stream-name", "s"}).ok());
  nlohmann::json events = nlohmann::json::array();
  int64_t t = NowMs() - 30000;
  for (int i = 0; i < 40; ++i) {
    events.push_back({{"timestamp", t + i}, {"message", AccessLogLine(i, t + i)}});
  }
  std::ofstream(dir_ / "events.json") << events.dump();
  ASSERT_TRUE((*moto)->RunAwsCli({"logs", "put-log-events", "--log-group-name", group,
                                  "--log-stream-name", "s", "--log-events",
                                  "file://" + (dir_ / "events.json").string()}).ok());
  std::map<std::string, std::string> env = Env();
  for (const auto& [k, v] : (*moto)->Env()) env[k] = v;
  env["GATESCOPE_CHECKPOINT"] = (dir_ / "checkpoints").string();
  env["GATESCOPE_LOG_GROUPS"] = group;
  env["GATESCOPE_DISCOVER"] = "false";
  env["GATESCOPE_LAG_SECONDS"] = "0";
  Launch(env);
  // What EventBridge Scheduler sends by default.
  emulator_.Enqueue("{}", NowMs() + 30000);
  emulator_.Enqueue(R"({"source":"aws.events","detail-type":"Scheduled Event","detail":{}})",
                    NowMs() + 30000);
  ASSERT_TRUE(emulator_.WaitForOutcomes(2, std::chrono::seconds(60))) << Log();
  std::vector<RuntimeApiEmulator::Outcome> outcomes = emulator_.outcomes();
  nlohmann::json first = nlohmann::json::parse(outcomes[0].body);
  nlohmann::json second = nlohmann::json::parse(outcomes[1].body);
  EXPECT_EQ(first["mode"], "pull");
  EXPECT_EQ(first["events_delivered"], 40) << outcomes[0].body;
  EXPECT_EQ(second["events_delivered"], 0) << "the checkpoint kept the second run from repeating";
  EXPECT_EQ(collector_.ids().size(), 40u);
}

TEST_F(LambdaRuntimeTest, ABadConfigurationFailsInitNamingTheVariable) {
  std::map<std::string, std::string> env = Env();
  env["GATESCOPE_BATCH_MAX_BYTES"] = "a lot";
  Launch(env);
  ASSERT_TRUE(emulator_.WaitForOutcomes(1, std::chrono::seconds(30))) << Log();
  RuntimeApiEmulator::Outcome o = emulator_.outcomes().front();
  EXPECT_EQ(o.kind, RuntimeApiEmulator::Outcome::kInitError);
  EXPECT_EQ(o.error_type, "Gatescope.InvalidConfiguration");
  EXPECT_NE(o.body.find("GATESCOPE_BATCH_MAX_BYTES"), std::string::npos) << o.body;
  int status = 0;
  ASSERT_EQ(waitpid(pid_, &status, 0), pid_);
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace gatescope::connector
