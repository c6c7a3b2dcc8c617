#include "ingest/log_payload_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "model/transaction_json.h"
#include "tests/support/test_util.h"

namespace gatescope::ingest {
namespace {

using model::HttpTransaction;
using pipeline::DropReason;

LogPayloadResult ReadOk(const std::string& payload, const LogPayloadOptions& options = {}) {
  Result<LogPayloadResult> r = ReadLogPayload(payload, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (!r.ok()) return {};
  return std::move(r).value();
}

// received = accepted + filtered + dropped, and the transactions account for the accepted
// events (less those the transform filtered).
void ExpectAddsUp(const LogPayloadResult& r) {
  const pipeline::EventCounters& c = r.counters;
  EXPECT_EQ(c.received(), c.accepted() + c.filtered() + c.dropped());
  uint64_t events = 0;
  for (const HttpTransaction& tx : r.transactions) {
    events += tx.event_count;
  }
  EXPECT_EQ(events + r.transform_filtered, c.accepted());
}

std::vector<std::string> Ids(const LogPayloadResult& r) {
  std::vector<std::string> ids;
  for (const HttpTransaction& tx : r.transactions) ids.push_back(tx.id);
  return ids;
}

TEST(LogPayloadReaderTest, ReadsASubscriptionPayload) {
  LogPayloadResult r = ReadOk(testing::ReadFixture("containers/subscription.json"));
  ASSERT_EQ(r.transactions.size(), 3u);
  EXPECT_EQ(r.counters.received(), 3u);
  ExpectAddsUp(r);
  std::set<std::string> ids;
  for (const HttpTransaction& tx : r.transactions) {
    EXPECT_EQ(tx.log_group, "/aws/apigateway/a1b2c3d4e5/prod");
    EXPECT_EQ(tx.event_count, 1u);
    EXPECT_EQ(tx.source, model::LogSource::kAccessLog);
    EXPECT_FALSE(tx.method.empty());
    ASSERT_EQ(tx.id.size(), 32u);
    ids.insert(tx.id);
    // The connector's transform ran: access logs carry no bodies, so endpoints only.
    EXPECT_EQ(tx.coverage, model::Coverage::kEndpointsOnly);
    EXPECT_NE(tx.request_headers.Find("x-gatescope-coverage"), nullptr);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(r.counters.input_bytes(), testing::ReadFixture("containers/subscription.json").size());
}

TEST(LogPayloadReaderTest, SamePayloadGivesSameIdsInAnyWrapping) {
  std::string json = testing::ReadFixture("containers/subscription.json");
  LogPayloadResult a = ReadOk(json);
  LogPayloadResult b = ReadOk(json);
  LogPayloadResult gz = ReadOk(testing::ReadFixture("containers/subscription.json.gz"));
  LogPayloadResult lambda = ReadOk(testing::ReadFixture("containers/lambda-event.json"));
  ASSERT_EQ(a.transactions.size(), 3u);
  EXPECT_EQ(Ids(a), Ids(b));
  EXPECT_EQ(Ids(a), Ids(gz));
  EXPECT_EQ(Ids(a), Ids(lambda));
  for (size_t i = 0; i < a.transactions.size(); ++i) {
    EXPECT_EQ(model::TransactionToJson(a.transactions[i]),
              model::TransactionToJson(gz.transactions[i]));
  }
}

TEST(LogPayloadReaderTest, ReadsFilterLogEventsAndGetLogEventsOutput) {
  LogPayloadOptions options{.default_log_group = "/aws/apigateway/cli"};
  LogPayloadResult filter =
      ReadOk(testing::ReadFixture("containers/filter-log-events-2pages.json"), options);
  EXPECT_GT(filter.transactions.size(), 0u);
  ExpectAddsUp(filter);
  LogPayloadResult get = ReadOk(testing::ReadFixture("containers/get-log-events.json"), options);
  EXPECT_GT(get.transactions.size(), 0u);
  ExpectAddsUp(get);
  for (const HttpTransaction& tx : get.transactions) EXPECT_EQ(tx.log_group, "/aws/apigateway/cli");
}

TEST(LogPayloadReaderTest, ReadsPlainLinesWithTheDefaultLogGroup) {
  LogPayloadOptions options{.default_log_group = "/aws/apigateway/plain"};
  LogPayloadResult r = ReadOk(testing::ReadFixture("containers/text-export.log"), options);
  ASSERT_GT(r.transactions.size(), 0u);
  ExpectAddsUp(r);
  for (const HttpTransaction& tx : r.transactions) {
    EXPECT_EQ(tx.log_group, "/aws/apigateway/plain");
    EXPECT_GT(tx.request_time_ms, 0);
  }
  // Plain access-log lines without the export's timestamps.
  LogPayloadResult lines = ReadOk(testing::ReadFixture("access/rest-clf.log"), options);
  EXPECT_GT(lines.transactions.size(), 0u);
  ExpectAddsUp(lines);
}

TEST(LogPayloadReaderTest, ReassemblesExecutionLogs) {
  LogPayloadResult r =
      ReadOk(testing::ReadFixture("execution/samples/exec-rest-lambda-proxy-success-200.payload.json"));
  ASSERT_EQ(r.transactions.size(), 1u);
  ExpectAddsUp(r);
  const HttpTransaction& tx = r.transactions[0];
  EXPECT_EQ(tx.source, model::LogSource::kExecutionLog);
  EXPECT_GT(tx.event_count, 10u);
  EXPECT_EQ(tx.log_group, "API-Gateway-Execution-Logs_h733q2j6gb/Prod");
  EXPECT_FALSE(tx.method.empty());
  EXPECT_TRUE(tx.request_headers.logged);
  EXPECT_EQ(tx.id.size(), 32u);
  // Plain execution-log lines, the group given by the caller.
  LogPayloadResult lines =
      ReadOk(testing::ReadFixture("execution/samples/exec-rest-lambda-proxy-success-200.log"),
             {.default_log_group = "API-Gateway-Execution-Logs_h733q2j6gb/Prod"});
  ASSERT_EQ(lines.transactions.size(), 1u);
  EXPECT_EQ(lines.transactions[0].method, tx.method);
  EXPECT_EQ(lines.transactions[0].path, tx.path);
}

TEST(LogPayloadReaderTest, ControlMessagesAreFiltered) {
  LogPayloadResult r = ReadOk(testing::ReadFixture("containers/subscription-control.json"));
  EXPECT_TRUE(r.transactions.empty());
  EXPECT_EQ(r.counters.drops(DropReason::kControlMessage), 1u);
  ExpectAddsUp(r);
}

TEST(LogPayloadReaderTest, StaticFilesAreFilteredByTheTransform) {
  std::string lines =
      R"({"requestId":"r-1","httpMethod":"GET","path":"/prod/app.js","status":"200","stage":"prod","apiId":"a1"})"
      "\n"
      R"({"requestId":"r-2","httpMethod":"GET","path":"/prod/pets/1","status":"200","stage":"prod","apiId":"a1"})"
      "\n";
  LogPayloadResult r = ReadOk(lines, {.default_log_group = "g"});
  ASSERT_EQ(r.transactions.size(), 1u);
  EXPECT_EQ(r.transactions[0].request_id, "r-2");
  EXPECT_EQ(r.transform_filtered, 1u);
  EXPECT_EQ(r.counters.received(), 2u);
  ExpectAddsUp(r);
}

TEST(LogPayloadReaderTest, BadLinesAreDroppedWithReasons) {
  std::string lines =
      "this is not an access log\n"
      R"({"requestId":"r-1","httpMethod":"GET","path":"/prod/pets/1","status":"200"})"
      "\n"
      "{\"requestId\": \"broken\n"
      R"({"level":"info","msg":"application log"})"
      "\n";
  LogPayloadResult r = ReadOk(lines, {.default_log_group = "g"});
  EXPECT_EQ(r.transactions.size(), 1u);
  EXPECT_EQ(r.counters.received(), 4u);
  EXPECT_EQ(r.counters.dropped(), 3u);
  ExpectAddsUp(r);
}

TEST(LogPayloadReaderTest, EmptyPayloadGivesNothing) {
  LogPayloadResult r = ReadOk("");
  EXPECT_TRUE(r.transactions.empty());
  EXPECT_EQ(r.counters.received(), 0u);
}

TEST(LogPayloadReaderTest, CorruptGzipIsAnError) {
  std::string gz = testing::ReadFixture("containers/subscription.json.gz");
  gz.resize(gz.size() / 2);
  Result<LogPayloadResult> r = ReadLogPayload(gz, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kParseError);
  EXPECT_NE(r.status().message().find("payload"), std::string::npos);
}

TEST(LogPayloadReaderTest, GarbageNeverCrashes) {
  std::mt19937 rng(7);
  std::string base = testing::ReadFixture("containers/subscription.json");
  for (int round = 0; round < 200; ++round) {
    std::string payload = base;
    // Random bytes, then the fixture with random corruptions.
    if (round % 2 == 0) {
      payload.resize(rng() % 2000);
      for (char& c : payload) c = static_cast<char>(rng());
    } else {
      for (int k = 0; k < 5; ++k) payload[rng() % payload.size()] = static_cast<char>(rng());
    }
    Result<LogPayloadResult> r = ReadLogPayload(payload, {.default_log_group = "g"});
    if (r.ok()) ExpectAddsUp(*r);
  }
}

}  // namespace
}  // namespace gatescope::ingest
