#include "parsers/apigw_execution/execution_assembler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "model/transaction_json.h"
#include "parsers/apigw_execution/transaction_builder.h"
#include "tests/support/decode_records.h"
#include "tests/support/test_util.h"

namespace gatescope::parsers::apigw_execution {
namespace {

using model::HttpTransaction;
using pipeline::DropReason;
using pipeline::EventCounters;
using testing::OwnedRecord;

constexpr std::string_view kSampleId = "515f1e99-39db-11e9-9e96-01e5c04505b9";

// Decodes a fixture into owned records (any container gatescope reads).
std::vector<OwnedRecord> Decode(const std::string& data, std::string_view log_group = "") {
  testing::Decoded d = testing::DecodeBytes(data, decoders::InputFormat::kAuto,
                                            {.default_log_group = std::string(log_group)});
  EXPECT_TRUE(d.status.ok()) << d.status.message();
  return d.records;
}

// Runs records through an assembler and keeps what it emits.
struct AssemblyRun {
  explicit AssemblyRun(AssemblerOptions options = {})
      : assembler(options, &counters, [this](HttpTransaction& tx) { emitted.push_back(tx); }) {}

  void Add(const std::vector<OwnedRecord>& records) {
    for (const OwnedRecord& r : records) {
      counters.AddReceived();
      assembler.Add(r.View());
    }
  }
  void Finish() { assembler.Flush(); }
  void ExpectCountersAddUp() const {
    EXPECT_EQ(counters.received(), counters.accepted() + counters.dropped() + counters.filtered());
  }

  EventCounters counters;
  std::vector<HttpTransaction> emitted;
  ExecutionAssembler assembler;
};

// The sample's events with the request id replaced, in another stream, shifted in time.
std::vector<OwnedRecord> Clone(const std::vector<OwnedRecord>& records, const std::string& id,
                               const std::string& stream, int64_t shift_ms) {
  std::vector<OwnedRecord> out = records;
  for (OwnedRecord& r : out) {
    for (size_t at = r.message.find(kSampleId); at != std::string::npos;
         at = r.message.find(kSampleId, at + 1)) {
      r.message.replace(at, kSampleId.size(), id);
    }
    r.log_stream = stream;
    if (r.timestamp_ms >= 0) r.timestamp_ms += shift_ms;
    if (!r.event_id.empty()) r.event_id = stream.substr(0, 4) + r.event_id.substr(4);
  }
  return out;
}

std::vector<OwnedRecord> Sample200() {
  return Decode(testing::ReadFixture("execution/samples/exec-rest-lambda-proxy-success-200.payload.json"));
}

std::string Golden(const std::vector<HttpTransaction>& txs) {
  std::string out;
  for (const HttpTransaction& tx : txs) out += model::TransactionToJson(tx) + "\n";
  return out;
}

void ExpectGolden(const std::string& fixture, const std::string& log_group) {
  AssemblyRun run;
  run.Add(Decode(testing::ReadFixture("execution/samples/" + fixture), log_group));
  run.Finish();
  run.ExpectCountersAddUp();
  std::string actual = Golden(run.emitted);
  std::string golden_path = testing::FixturePath("execution/samples/" + fixture + ".golden.ndjson");
  if (std::getenv("GS_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path, std::ios::binary) << actual;
  }
  EXPECT_EQ(actual, testing::ReadFile(golden_path)) << fixture;
}

TEST(ExecutionAssemblerTest, GoldenSamples) {
  ExpectGolden("exec-rest-lambda-proxy-success-200.payload.json", "");
  ExpectGolden("exec-rest-lambda-proxy-success-200.log", "API-Gateway-Execution-Logs_h733q2j6gb/Prod");
  ExpectGolden("exec-rest-2017-lambda-proxy-token-authorizer-success.log", "");
  ExpectGolden("exec-rest-2016-legacy-no-requestid-prefix-lambda-custom-200.log",
               "API-Gateway-Execution-Logs_ulhoxnm2x2/dev");
}

TEST(ExecutionAssemblerTest, RebuildsTheSampleRequest) {
  AssemblyRun run;
  run.Add(Sample200());
  run.Finish();
  ASSERT_EQ(run.emitted.size(), 1u);
  const HttpTransaction& tx = run.emitted[0];
  EXPECT_EQ(tx.request_id, kSampleId);
  EXPECT_EQ(tx.method, "POST");
  EXPECT_EQ(tx.path, "/verifyReceipt");
  EXPECT_EQ(tx.resource_path, "/verifyReceipt");
  EXPECT_EQ(tx.api_id, "h733q2j6gb");
  EXPECT_EQ(tx.stage, "Prod");
  EXPECT_EQ(tx.region, "eu-west-2");
  EXPECT_EQ(tx.status, 200);
  EXPECT_EQ(tx.integration_latency_ms, 40);
  EXPECT_EQ(tx.integration_request_id, "57593f79-6e46-4a6f-91b1-f5d848cc2059");
  EXPECT_EQ(tx.source_ip, "18.130.162.42");
  EXPECT_EQ(tx.api_key_required, 0);
  EXPECT_FALSE(tx.partial);
  EXPECT_EQ(tx.request_body.text, R"({"receiptData":"82ca4c4f-26dd-4554-a11e-c3feb5324345"})");
  EXPECT_EQ(tx.request_body.content_type, "application/json");
  EXPECT_TRUE(tx.response_body.truncated);
  EXPECT_EQ(tx.coverage, model::Coverage::kDiscoveryOnly);
  ASSERT_NE(tx.request_headers.Find("Accept"), nullptr);
  EXPECT_EQ(tx.request_headers.Find("Accept")->value, "application/json, text/plain, */*");
  EXPECT_EQ(tx.request_headers.size(), 11u);
  EXPECT_EQ(run.counters.accepted(), 23u);
}

TEST(ExecutionAssemblerTest, InterleavedAndShuffledRequestsOverStreamsAreNotMerged) {
  std::vector<OwnedRecord> base = Sample200();
  std::vector<OwnedRecord> all;
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    std::string id = "00000000-0000-0000-0000-00000000000" + std::to_string(i);
    ids.push_back(id);
    std::vector<OwnedRecord> c = Clone(base, id, std::to_string(1000 + i % 3) + "abcdef", i * 3);
    all.insert(all.end(), c.begin(), c.end());
  }
  std::mt19937 rng(7);
  std::shuffle(all.begin(), all.end(), rng);
  AssemblyRun run;
  run.Add(all);
  run.Finish();
  run.ExpectCountersAddUp();
  ASSERT_EQ(run.emitted.size(), ids.size());
  AssemblyRun single;
  single.Add(base);
  single.Finish();
  for (const HttpTransaction& tx : run.emitted) {
    EXPECT_FALSE(tx.partial) << tx.request_id;
    EXPECT_EQ(tx.method, "POST");
    EXPECT_EQ(tx.request_headers.size(), single.emitted[0].request_headers.size());
    EXPECT_EQ(tx.response_headers.size(), single.emitted[0].response_headers.size());
    EXPECT_EQ(tx.integration_request_id, single.emitted[0].integration_request_id);
    EXPECT_EQ(tx.request_body.text, single.emitted[0].request_body.text);
  }
  std::set<std::string> seen;
  for (const HttpTransaction& tx : run.emitted) seen.insert(tx.request_id);
  EXPECT_EQ(seen, std::set<std::string>(ids.begin(), ids.end()));
}

TEST(ExecutionAssemblerTest, IncompleteRequestIsEmittedPartialNotDropped) {
  std::vector<OwnedRecord> records = Sample200();
  records.resize(records.size() - 4);  // No "Method completed" and no epilogue.
  AssemblyRun run;
  run.Add(records);
  run.Finish();
  ASSERT_EQ(run.emitted.size(), 1u);
  EXPECT_TRUE(run.emitted[0].partial);
  EXPECT_EQ(run.emitted[0].partial_reason, model::PartialReason::kEndOfInput);
  EXPECT_EQ(run.emitted[0].method, "POST");
  EXPECT_EQ(run.counters.accepted(), records.size());

  std::vector<OwnedRecord> all = Sample200();
  std::vector<OwnedRecord> tail(all.begin() + 6, all.end());
  AssemblyRun no_start;
  no_start.Add(tail);
  no_start.Finish();
  ASSERT_EQ(no_start.emitted.size(), 1u);
  EXPECT_TRUE(no_start.emitted[0].partial);
  EXPECT_EQ(no_start.emitted[0].partial_reason, model::PartialReason::kNoStart);
}

TEST(ExecutionAssemblerTest, EpilogueAfterMethodCompletedJoinsWithinGraceAndIsLateAfter) {
  std::vector<OwnedRecord> base = Sample200();
  std::vector<OwnedRecord> body(base.begin(), base.end() - 2);
  std::vector<OwnedRecord> epilogue(base.end() - 2, base.end());
  std::vector<OwnedRecord> other = Clone(base, "11111111-0000-0000-0000-000000000000", "s2", 0);

  AssemblyRun run;
  run.Add(body);
  run.Add({other[0]});  // Another request, same time: nothing is due yet.
  EXPECT_TRUE(run.emitted.empty());
  run.Add(epilogue);
  run.Finish();
  ASSERT_EQ(run.emitted.size(), 2u);
  EXPECT_EQ(run.emitted[0].xray_trace_id, "1-5c755b5d-07b29b94e632d3da19d88789");

  AssemblyRun late;
  late.Add(body);
  std::vector<OwnedRecord> later = Clone(base, "22222222-0000-0000-0000-000000000000", "s3", 60000);
  late.Add({later[0]});  // A minute later: the first request's grace has passed.
  ASSERT_EQ(late.emitted.size(), 1u);
  EXPECT_TRUE(late.emitted[0].integration_request_id.empty());
  late.Add(epilogue);
  late.Finish();
  EXPECT_EQ(late.counters.drops(DropReason::kLateEvent), 2u);
  late.ExpectCountersAddUp();
}

TEST(ExecutionAssemblerTest, IdleRequestClosesAsPartial) {
  std::vector<OwnedRecord> base = Sample200();
  std::vector<OwnedRecord> head(base.begin(), base.begin() + 10);
  AssemblyRun run({.max_idle = std::chrono::minutes(1)});
  run.Add(head);
  run.Add({Clone(base, "33333333-0000-0000-0000-000000000000", "s2", 61000)[0]});
  ASSERT_EQ(run.emitted.size(), 1u);
  EXPECT_EQ(run.emitted[0].partial_reason, model::PartialReason::kIdle);
  run.Finish();
  run.ExpectCountersAddUp();
}

TEST(ExecutionAssemblerTest, OpenRequestCapEvictsOldestAsPartial) {
  std::vector<OwnedRecord> base = Sample200();
  std::vector<OwnedRecord> head(base.begin(), base.begin() + 5);
  AssemblyRun run({.max_open_requests = 2});
  for (int i = 0; i < 3; ++i) {
    run.Add(Clone(head, "4444444" + std::to_string(i) + "-0000-0000-0000-000000000000", "s", 0));
  }
  EXPECT_EQ(run.assembler.open_requests(), 2u);
  ASSERT_EQ(run.emitted.size(), 1u);
  EXPECT_EQ(run.emitted[0].partial_reason, model::PartialReason::kEvicted);
  EXPECT_EQ(run.emitted[0].request_id, "44444440-0000-0000-0000-000000000000");
  run.Finish();
  EXPECT_EQ(run.emitted.size(), 3u);
  EXPECT_EQ(run.assembler.stats().by_partial_reason[static_cast<size_t>(model::PartialReason::kEvicted)], 1u);
  run.ExpectCountersAddUp();
}

TEST(ExecutionAssemblerTest, MemoryCapBoundsHeldBytes) {
  std::vector<OwnedRecord> base = Sample200();
  AssemblyRun run({.max_open_bytes = 16 << 10});
  for (int i = 0; i < 50; ++i) {
    std::vector<OwnedRecord> head(base.begin(), base.begin() + 15);
    run.Add(Clone(head, "5555" + std::to_string(1000 + i) + "-0000-0000-0000-000000000000", "s", 0));
    EXPECT_LE(run.assembler.open_bytes(), size_t{16 << 10});
  }
  run.Finish();
  EXPECT_EQ(run.emitted.size(), 50u);
  run.ExpectCountersAddUp();
}

TEST(ExecutionAssemblerTest, DuplicateEventIsFilteredOnce) {
  std::vector<OwnedRecord> base = Sample200();
  AssemblyRun run;
  run.Add(base);
  run.Add({base[3]});
  run.Finish();
  ASSERT_EQ(run.emitted.size(), 1u);
  EXPECT_EQ(run.counters.drops(DropReason::kDuplicateEvent), 1u);
  run.ExpectCountersAddUp();
}

TEST(ExecutionAssemblerTest, LegacyLinesFollowTheRequestTheirStreamNamed) {
  std::vector<OwnedRecord> one = Decode(testing::ReadFixture(
      "execution/samples/exec-rest-2016-legacy-no-requestid-prefix-lambda-custom-200.log"));
  std::vector<OwnedRecord> two = one;
  for (OwnedRecord& r : two) {
    size_t at = r.message.find("9ac0eacd");
    if (at != std::string::npos) r.message.replace(at, 8, "aaaaaaaa");
  }
  std::vector<OwnedRecord> all = one;
  all.insert(all.end(), two.begin(), two.end());
  AssemblyRun run;
  run.Add({OwnedRecord{"Method request headers: {A=b}", "", "", "", 1}});  // Names no request.
  run.Add(all);
  run.Finish();
  ASSERT_EQ(run.emitted.size(), 2u);
  EXPECT_EQ(run.emitted[0].request_id, "9ac0eacd-87c5-11e6-b30c-19c3d9849330");
  EXPECT_EQ(run.emitted[1].request_id, "aaaaaaaa-87c5-11e6-b30c-19c3d9849330");
  EXPECT_EQ(run.emitted[1].resource_path, "/repos/{id}");
  EXPECT_EQ(run.counters.drops(DropReason::kMissingRequestId), 1u);
  run.ExpectCountersAddUp();
}

TEST(ExecutionAssemblerTest, RoutesExecutionAndAccessRecords) {
  model::RawRecord r;
  r.message = "(abc-1) Starting execution for request: abc-1";
  EXPECT_TRUE(IsExecutionLogRecord(r));
  r.message = "HTTP Method: GET, Resource Path: /x";
  EXPECT_TRUE(IsExecutionLogRecord(r));
  r.message = R"({"requestId":"1","httpMethod":"GET"})";
  EXPECT_FALSE(IsExecutionLogRecord(r));
  r.message = "1.2.3.4 - - [27/Oct/2023:13:40:57 +0000] \"GET /x HTTP/1.1\" 200 1 abc";
  EXPECT_FALSE(IsExecutionLogRecord(r));
  r.log_group = "API-Gateway-Execution-Logs_a1b2c3d4e5/prod";
  EXPECT_FALSE(IsExecutionLogRecord(r)) << "an access log, whatever group a flag names";
  r.message = "Some wording AWS adds in 2027";
  EXPECT_TRUE(IsExecutionLogRecord(r));
}

TEST(RebuildResourcePathTest, PlacesParametersOnSegments) {
  auto rebuild = [](std::string_view path, std::string_view map) {
    model::FieldList params;
    params.logged = true;
    for (size_t pos = 0; pos < map.size();) {
      size_t end = map.find(';', pos);
      if (end == std::string_view::npos) end = map.size();
      std::string_view kv = map.substr(pos, end - pos);
      size_t eq = kv.find('=');
      params.Add(kv.substr(0, eq), kv.substr(eq + 1));
      pos = end + 1;
    }
    std::string out = "<none>";
    RebuildResourcePath(path, params, &out);
    return out;
  };
  EXPECT_EQ(rebuild("/repos/hello", "id=hello"), "/repos/{id}");
  EXPECT_EQ(rebuild("/users/5/orders/7", "orderId=7;userId=5"), "/users/{userId}/orders/{orderId}");
  EXPECT_EQ(rebuild("/files/a/b/c", "proxy=a/b/c"), "/files/{proxy+}");
  // One segment cannot tell "{resource}" from a greedy "{resource+}": the plain one is said.
  EXPECT_EQ(rebuild("/user_info", "resource=user_info"), "/{resource}");
  EXPECT_EQ(rebuild("/static/list", ""), "/static/list");
  EXPECT_EQ(rebuild("/a/b", "id=zzz"), "<none>");
}

}  // namespace
}  // namespace gatescope::parsers::apigw_execution
