// The connector end to end on loopback: subscription events in, batches to a fake collector
// with OAuth2, faults injected, spill and replay; every run's counters must add up.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "commands/ship_command.h"
#include "connector/lambda_handler.h"
#include "core/clock.h"
#include "delivery/spill_store.h"
#include "tests/connector/fake_collector.h"
#include "tests/support/test_util.h"

namespace gatescope::connector {
namespace {

using testing::AccessLogLine;
using testing::FakeCollector;
using testing::MakeSubscriptionEvent;
using Steady = std::chrono::steady_clock;

constexpr int64_t kT0 = 1763700000000;  // 2025-11-21T04:40:00Z
const std::string kGroup = "API-Gateway-Access-Logs_a1b2c3d4e5/prod";

class ConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    collector_.Start();
    spill_dir_ = temp_.File("spill");
  }

  std::map<std::string, std::string> Env() const {
    return {{"GATESCOPE_COLLECTOR_URL", collector_.ingest_url()},
            {"GATESCOPE_OAUTH_TOKEN_URL", collector_.token_url()},
            {"GATESCOPE_OAUTH_CLIENT_ID", "connector"},
            {"GATESCOPE_OAUTH_CLIENT_SECRET", "s3cr3t"},
            {"GATESCOPE_SPILL", spill_dir_.string()},
            {"GATESCOPE_DEADLINE_MARGIN_MS", "500"},
            {"AWS_REGION", "us-east-1"},
            {"AWS_EC2_METADATA_DISABLED", "true"}};
  }

  std::unique_ptr<ConnectorHost> Host(std::map<std::string, std::string> env) {
    Result<std::unique_ptr<ConnectorHost>> host = ConnectorHost::Create(env, SystemClock::Get());
    EXPECT_TRUE(host.ok()) << host.status().message();
    return host.ok() ? std::move(*host) : nullptr;
  }

  static std::vector<std::string> Lines(int n, int first = 0) {
    std::vector<std::string> lines;
    for (int i = first; i < first + n; ++i) lines.push_back(AccessLogLine(i, kT0 + i));
    return lines;
  }

  static Steady::time_point In(std::chrono::milliseconds d) { return Steady::now() + d; }

  size_t SpilledBatches() {
    auto store = delivery::NewDirSpillStore(spill_dir_.string(), SystemClock::Get());
    Result<std::vector<std::string>> keys = store->List();
    return keys.ok() ? keys->size() : 0;
  }

  FakeCollector collector_;
  testing::TempDir temp_;
  std::filesystem::path spill_dir_;
};

TEST_F(ConnectorTest, PushDeliversEveryTransactionOnceAndCountersAddUp) {
  auto host = Host(Env());
  std::vector<std::string> lines = Lines(500);
  lines.push_back("not an access log");
  lines.push_back(R"({"level":"info","msg":"application log"})");
  RunSummary s = host->RunPush(MakeSubscriptionEvent(kGroup, "stream-1", lines, kT0),
                               In(std::chrono::seconds(30)));
  EXPECT_TRUE(s.error.empty()) << s.error;
  EXPECT_TRUE(s.AddsUp());
  EXPECT_EQ(s.events.received(), 502u);
  EXPECT_EQ(s.events_delivered, 500u);
  EXPECT_EQ(s.events.dropped(), 2u);
  EXPECT_EQ(s.events_spilled, 0u);
  std::vector<std::string> ids = collector_.ids();
  EXPECT_EQ(ids.size(), 500u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 500u);
  EXPECT_EQ(collector_.token_requests(), 1);

  // What arrives is the documented wire format.
  auto headers = collector_.last_headers();
  EXPECT_EQ(headers["Content-Type"], "application/x-ndjson");
  EXPECT_EQ(headers["Content-Encoding"], "gzip");
  EXPECT_EQ(headers["X-Gatescope-Format"], "gatescope.batch/v1");
  EXPECT_EQ(headers["Idempotency-Key"].size(), 64u);
  nlohmann::json first = nlohmann::json::parse(collector_.lines().front());
  EXPECT_EQ(first["format"], "gatescope.transaction/v1");
  EXPECT_EQ(first["event_count"], 1);
  bool has_coverage = false;
  for (const auto& h : first["request_headers"]["entries"]) {
    has_coverage = has_coverage || h["name"] == "x-gatescope-coverage";
  }
  EXPECT_TRUE(has_coverage) << first.dump();
}

TEST_F(ConnectorTest, TheSameEventTwiceGivesTheSameIds) {
  // Lambda may deliver an event twice, and retries a failed one: ids must not change, so the
  // collector can drop the repeats.
  auto host = Host(Env());
  std::string event = MakeSubscriptionEvent(kGroup, "stream-1", Lines(50), kT0);
  host->RunPush(event, In(std::chrono::seconds(30)));
  std::vector<std::string> first = collector_.ids();
  host->RunPush(event, In(std::chrono::seconds(30)));
  std::vector<std::string> all = collector_.ids();
  ASSERT_EQ(all.size(), 100u);
  EXPECT_EQ(std::vector<std::string>(all.begin() + 50, all.end()), first);
}

TEST_F(ConnectorTest, StaticFilesAndForeignContentTypesAreFilteredAndCounted) {
  auto host = Host(Env());
  std::vector<std::string> lines = Lines(10);
  lines.push_back(AccessLogLine(100, kT0, "/assets/site.css"));
  lines.push_back(AccessLogLine(101, kT0, "/img/logo.PNG"));
  RunSummary s = host->RunPush(MakeSubscriptionEvent(kGroup, "s", lines, kT0),
                               In(std::chrono::seconds(30)));
  EXPECT_TRUE(s.AddsUp());
  EXPECT_EQ(s.events_delivered, 10u);
  EXPECT_EQ(s.transform_filtered[static_cast<size_t>(transform::FilterReason::kStaticFile)], 2u);
  EXPECT_EQ(collector_.ids().size(), 10u);
}

TEST_F(ConnectorTest, BatchesStayUnderTheWireCap) {
  auto env = Env();
  env["GATESCOPE_BATCH_MAX_BYTES"] = "20000";
  auto host = Host(env);
  RunSummary s = host->RunPush(MakeSubscriptionEvent(kGroup, "s", Lines(3000), kT0),
                               In(std::chrono::seconds(60)));
  EXPECT_TRUE(s.AddsUp());
  EXPECT_EQ(s.events_delivered, 3000u);
  EXPECT_GT(collector_.batches(), 3u);
  EXPECT_LE(collector_.max_batch_bytes(), 20000u);
  EXPECT_LE(s.batch_wire_max, 20000u);
  EXPECT_EQ(collector_.ids().size(), 3000u);
}

TEST_F(ConnectorTest, RejectedBatchIsSpilledWithItsReasonThenReplayed) {
  auto host = Host(Env());
  collector_.fail_next = 1;
  collector_.fail_status = 400;
  RunSummary s = host->RunPush(MakeSubscriptionEvent(kGroup, "s", Lines(20), kT0),
                               In(std::chrono::seconds(30)));
  EXPECT_TRUE(s.AddsUp());
  EXPECT_EQ(s.events_spilled, 20u);
  EXPECT_EQ(s.spill_reasons["http_400"], 1u);
  EXPECT_EQ(s.send_attempts, 1u) << "a 400 is not retried";
  EXPECT_EQ(SpilledBatches(), 1u);
  EXPECT_TRUE(collector_.ids().empty());

  RunSummary r = host->Replay(In(std::chrono::seconds(30)));
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.events_delivered, 20u);
  EXPECT_EQ(collector_.ids().size(), 20u);
  EXPECT_EQ(SpilledBatches(), 0u);
}

TEST_F(ConnectorTest, ThrottlingStormWithRetryAfterStillDelivers) {
  auto host = Host(Env());
  collector_.fail_next = 3;
  collector_.fail_status = 429;
  collector_.retry_after_s = 1;
  auto start = Steady::now();
  RunSummary s = host->RunPush(MakeSubscriptionEvent(kGroup, "s", Lines(30), kT0),
                               In(std::chrono::seconds(30)));
  EXPECT_TRUE(s.AddsUp());
  EXPECT_EQ(s.events_delivered, 30u);
  EXPECT_EQ(s.send_retries, 3u);
  EXPECT_GE(Steady::now() - start, std::chrono::seconds(3)) << "Retry-After was not honoured";
  EXPECT_EQ(collector_.ids().size(), 30u);
  // One batch, one key on every attempt.
  EXPECT_EQ(collector_.batches(), 1u);
}

TEST_F(ConnectorTest, TokenRotationRefreshesOnceAndDelivers) {
  auto host = Host(Env());
  host->RunPush(MakeSubscriptionEvent(kGroup, "s", Lines(5), kT0), In(std::chrono::seconds(30)));
  EXPECT_EQ(collector_.token_requests(), 1);
  host->RunPush(MakeSubscriptionEvent(kGroup, "s", Lines(5, 5), kT0), In(std::chrono::seconds(30)));
  EXPECT_EQ(collector_.token_requests(), 1) << "the token is cached across runs";
  collector_.RotateToken();
  RunSummary s = host->RunPush(MakeSubscriptionEvent(kGroup, "s", Lines(5, 10), kT0),
                               In(std::chrono::seconds(30)));
  EXPECT_EQ(s.events_delivered, 5u);
  EXPECT_EQ(s.token_fetches, 1u);
  EXPECT_EQ(collector_.token_requests(), 2);
  EXPECT_EQ(collector_.ids().size(), 15u);
}

TEST_F(ConnectorTest, CollectorDownUntilTheDeadlineSpillsEverythingInTime) {
  auto host = Host(Env());
  collector_.down = true;
  auto start = Steady::now();
  RunSummary s = host->RunPush(MakeSubscriptionEvent(kGroup, "s", Lines(200), kT0),
                               In(std::chrono::seconds(3)));
  EXPECT_LT(Steady::now() - start, std::chrono::seconds(3)) << "ran past the deadline";
  EXPECT_TRUE(s.AddsUp());
  EXPECT_EQ(s.events_spilled, 200u);
  EXPECT_EQ(s.events_delivered, 0u);
  EXPECT_GE(SpilledBatches(), 1u);

  // The collector comes back: the replay delivers every spilled transaction once.
  collector_.down = false;
  RunSummary r = host->Replay(In(std::chrono::seconds(30)));
  EXPECT_EQ(r.events_delivered, 200u);
  std::vector<std::string> ids = collector_.ids();
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 200u);
}

TEST_F(ConnectorTest, SlowCollectorBeyondTheDeadlineIsCutAndSpilled) {
  auto host = Host(Env());
  collector_.delay_ms = 5000;
  auto start = Steady::now();
  RunSummary s = host->RunPush(MakeSubscriptionEvent(kGroup, "s", Lines(50), kT0),
                               In(std::chrono::milliseconds(2500)));
  EXPECT_LT(Steady::now() - start, std::chrono::milliseconds(2500));
  EXPECT_TRUE(s.AddsUp());
  EXPECT_EQ(s.events_spilled, 50u);
}

TEST_F(ConnectorTest, WithoutASpillStoreAnUndeliverableRunFailsSoLambdaRetriesIt) {
  auto env = Env();
  env.erase("GATESCOPE_SPILL");
  auto host = Host(env);
  collector_.down = true;
  lambda::Invocation invocation;
  invocation.request_id = "req-1";
  invocation.deadline_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch()).count() + 2500;
  invocation.body = MakeSubscriptionEvent(kGroup, "s", Lines(10), kT0);
  std::ostringstream log;
  lambda::HandlerResult result = HandleInvocation(*host, invocation, SystemClock::Get(), log);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error_type, "Gatescope.DeliveryFailed");
  nlohmann::json summary = nlohmann::json::parse(log.str());
  EXPECT_EQ(summary["events_failed"], 10);
  EXPECT_EQ(summary["counters_add_up"], true);
  EXPECT_EQ(log.str().find("s3cr3t"), std::string::npos);
  EXPECT_EQ(log.str().find("token-"), std::string::npos);
}

TEST_F(ConnectorTest, ControlMessageIsAcknowledgedAndSkipped) {
  auto host = Host(Env());
  nlohmann::json payload = {{"messageType", "CONTROL_MESSAGE"},
                            {"owner", "CloudwatchLogs"},
                            {"logGroup", ""},
                            {"logStream", ""},
                            {"subscriptionFilters", nlohmann::json::array()},
                            {"logEvents",
                             {{{"id", ""}, {"timestamp", kT0},
                               {"message", "CWL CONTROL MESSAGE: Checking health of destination"}}}}};
  RunSummary s = host->RunPush(payload.dump(), In(std::chrono::seconds(10)));
  EXPECT_TRUE(s.error.empty()) << s.error;
  EXPECT_TRUE(s.AddsUp());
  EXPECT_EQ(s.events_delivered, 0u);
  EXPECT_EQ(collector_.ingest_requests(), 0);
}

TEST_F(ConnectorTest, ShipShipsFilesAndWritesWhatItShippedAsHar) {
  std::string input = temp_.File("input.json");
  std::string har = temp_.File("shipped.har");
  std::ofstream(input) << MakeSubscriptionEvent(kGroup, "s", Lines(25), kT0);
  commands::ShipOptions options{.inputs = {input}, .har_file = har};
  std::ostringstream out, err;
  int code = commands::RunShip(options, Env(), SystemClock::Get(), out, err);
  EXPECT_EQ(code, commands::kShipExitOk) << err.str();
  EXPECT_EQ(collector_.ids().size(), 25u);
  nlohmann::json doc = nlohmann::json::parse(std::ifstream(har));
  EXPECT_EQ(doc["log"]["version"], "1.2");
  ASSERT_EQ(doc["log"]["entries"].size(), 25u);
  EXPECT_EQ(doc["log"]["entries"][0]["request"]["method"], "GET");
  nlohmann::json summary = nlohmann::json::parse(out.str());
  EXPECT_EQ(summary["mode"], "file");
  EXPECT_EQ(summary["events_delivered"], 25);

  // A bad setting stops the start with one line naming it.
  auto env = Env();
  env["GATESCOPE_GZIP"] = "sometimes";
  std::ostringstream out2, err2;
  EXPECT_EQ(commands::RunShip(options, env, SystemClock::Get(), out2, err2),
            commands::kShipExitConfig);
  std::string error = err2.str();
  EXPECT_EQ(error.rfind("gatescope ship: GATESCOPE_GZIP: ", 0), 0u) << error;
  EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 1);
}

}  // namespace
}  // namespace gatescope::connector
