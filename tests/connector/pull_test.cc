// The scheduled pull end to end: events written to moto_server with the real aws CLI are read
// with FilterLogEvents from a durable checkpoint and delivered to a fake collector exactly once
// by id, across process restarts, late events and a process killed in the middle of a run.
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

#include "connector/lambda_handler.h"
#include "core/clock.h"
#include "tests/connector/fake_collector.h"
#include "tests/support/test_util.h"
#include "tests/support/moto_server.h"

namespace gatescope::connector {
namespace {

using testing::AccessLogLine;
using testing::FakeCollector;
using Steady = std::chrono::steady_clock;

const std::string kGroup = "/aws/apigateway/access/a1b2c3d4e5/prod";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class PullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<testing::MotoServer*> moto = testing::SharedMotoServer();
    ASSERT_TRUE(moto.ok()) << moto.status().message();
    moto_ = *moto;
    ASSERT_TRUE(moto_->Reset().ok());
    collector_.Start();
    dir_ = temp_.path();
    Cli({"logs", "create-log-group", "--log-group-name", kGroup});
    Cli({"logs", "create-log-stream", "--log-group-name", kGroup, "--log-stream-name", "s1"});
  }

  void Cli(const std::vector<std::string>& args) {
    Result<std::string> out = moto_->RunAwsCli(args);
    ASSERT_TRUE(out.ok()) << out.status().message();
  }

  // Writes requests [first, first + n) with the aws CLI, timestamps `time_ms` + i.
  void PutEvents(int first, int n, int64_t time_ms) {
    nlohmann::json events = nlohmann::json::array();
    for (int i = 0; i < n; ++i) {
      events.push_back({{"timestamp", time_ms + i},
                        {"message", AccessLogLine(first + i, time_ms + i)}});
    }
    std::string path = (dir_ / ("events-" + std::to_string(first) + ".json")).string();
    std::ofstream(path) << events.dump();
    Cli({"logs", "put-log-events", "--log-group-name", kGroup, "--log-stream-name", "s1",
         "--log-events", "file://" + path});
  }

  std::map<std::string, std::string> Env() const {
    std::map<std::string, std::string> env = moto_->Env();
    env["GATESCOPE_COLLECTOR_URL"] = collector_.ingest_url();
    env["GATESCOPE_OAUTH_TOKEN_URL"] = collector_.token_url();
    env["GATESCOPE_OAUTH_CLIENT_ID"] = "connector";
    env["GATESCOPE_OAUTH_CLIENT_SECRET"] = "s3cr3t";
    env["GATESCOPE_CHECKPOINT"] = (dir_ / "checkpoints").string();
    env["GATESCOPE_SPILL"] = (dir_ / "spill").string();
    env["GATESCOPE_LOG_GROUPS"] = kGroup;
    env["GATESCOPE_DISCOVER"] = "false";
    env["GATESCOPE_LAG_SECONDS"] = "0";
    env["GATESCOPE_DEADLINE_MARGIN_MS"] = "500";
    return env;
  }

  RunSummary PullOnce() {
    // A new host each time: the state that survives is the checkpoint, as across restarts.
    Result<std::unique_ptr<ConnectorHost>> host = ConnectorHost::Create(Env(), SystemClock::Get());
    EXPECT_TRUE(host.ok()) << host.status().message();
    if (!host.ok()) return {};
    RunSummary s = (*host)->RunPull(Steady::now() + std::chrono::seconds(60));
    EXPECT_TRUE(s.AddsUp());
    EXPECT_TRUE(s.error.empty()) << s.error;
    return s;
  }

  testing::MotoServer* moto_ = nullptr;
  FakeCollector collector_;
  testing::TempDir temp_;
  std::filesystem::path dir_;
};

TEST_F(PullTest, EachEventIsDeliveredOnceAcrossRestartsAndLateEvents) {
  int64_t now = NowMs();
  PutEvents(0, 300, now - 120000);
  RunSummary first = PullOnce();
  EXPECT_EQ(first.events.received(), 300u);
  EXPECT_EQ(first.events_delivered, 300u);
  EXPECT_EQ(first.log_groups, 1u);
  EXPECT_GE(first.lag_ms, 0);

  // Restarted: the look-back window is read again, and nothing in it is delivered twice.
  RunSummary second = PullOnce();
  EXPECT_EQ(second.events_delivered, 0u);
  EXPECT_EQ(second.events.drops(pipeline::DropReason::kDuplicateEvent), second.events.received());

  // Late events: written now, with times inside the window already read.
  PutEvents(1000, 40, now - 90000);
  PutEvents(2000, 10, NowMs() - 1000);
  RunSummary third = PullOnce();
  EXPECT_EQ(third.events_delivered, 50u);

  std::vector<std::string> ids = collector_.ids();
  EXPECT_EQ(ids.size(), 350u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 350u);
}

TEST_F(PullTest, AProcessKilledMidRunLosesNothingAndRepeatsOnlyWithTheSameIds) {
  const char* bin = std::getenv("GS_GATESCOPE_BIN");
  ASSERT_NE(bin, nullptr) << "GS_GATESCOPE_BIN is set by CMake";
  PutEvents(0, 400, NowMs() - 60000);
  std::map<std::string, std::string> env = Env();
  env["GATESCOPE_BATCH_MAX_RECORDS"] = "25";  // 16 batches: the kill lands between two.
  collector_.delay_ms = 150;

  auto spawn = [&]() {
    pid_t pid = fork();
    if (pid == 0) {
      clearenv();
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(bin, bin, "ship", "--once", static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  };
  pid_t pid = spawn();
  ASSERT_GT(pid, 0);
  auto give_up = Steady::now() + std::chrono::seconds(30);
  while (collector_.batches() < 3 && Steady::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(collector_.batches(), 3u) << "the first run never delivered";
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  size_t before_restart = collector_.ids().size();
  EXPECT_LT(before_restart, 400u) << "killed too late to test anything";

  collector_.delay_ms = 0;
  pid = spawn();
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  std::vector<std::string> ids = collector_.ids();
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), 400u) << "events lost";
  // The repeats are the ones delivered before the kill, re-read because the checkpoint had not
  // moved: the same ids, so a collector that dedupes sees each request once.
  EXPECT_EQ(ids.size(), 400u + before_restart);
}

}  // namespace
}  // namespace gatescope::connector
