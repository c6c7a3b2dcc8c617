// CloudWatchLogsClient against a real moto_server: data written with the aws CLI is read with
// our client and the other way round, plus scripted pages and faults through the FaultProxy.
#include "aws/cloudwatch_logs_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "core/clock.h"
#include "env/http_client.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/moto_server.h"

namespace gatescope::aws {
namespace {

using ::gatescope::testing::FaultProxy;
using ::gatescope::testing::FaultSpec;
using ::gatescope::testing::MotoServer;
using Fault = ::gatescope::testing::Fault;
using Json = nlohmann::json;

// Milliseconds since the epoch, an hour ago and on a whole second: moto refuses events older
// than 14 days, and round numbers make failures readable.
int64_t BaseTimeMs() {
  using namespace std::chrono;
  int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  return (now - 3600 * 1000) / 1000 * 1000;
}

// Messages that need every kind of JSON escaping, and multi-byte UTF-8 that must pass through.
std::string TrickyMessage(int i) {
  std::string m = "event-" + std::to_string(i) + " \"quoted\" back\\slash tab\there é 日本 😀";
  if (i % 5 == 0) m += " ctl\x01\x1f nl\n cr\r";
  return m;
}

// Forwards to the real HttpClient and keeps every request body: the FaultProxy records headers
// only, and the tests check which nextToken went out.
class RecordingHttpClient final : public env::HttpClient {
 public:
  explicit RecordingHttpClient(env::HttpClient& inner) : inner_(inner) {}
  Result<env::HttpResponse> Send(const env::HttpRequest& request) override {
    {
      std::lock_guard lock(mu_);
      bodies_.push_back(request.body);
    }
    return inner_.Send(request);
  }
  std::vector<std::string> bodies() const {
    std::lock_guard lock(mu_);
    return bodies_;
  }

 private:
  env::HttpClient& inner_;
  mutable std::mutex mu_;
  std::vector<std::string> bodies_;
};

class CloudWatchLogsClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<testing::MotoServer*> moto = testing::SharedMotoServer();
    ASSERT_TRUE(moto.ok()) << moto.status().ToString();
    moto_ = *moto;
  }

  void SetUp() override {
    ASSERT_NE(moto_, nullptr);
    ASSERT_TRUE(moto_->Reset().ok());
    curl_ = env::NewCurlHttpClient();
    http_ = std::make_unique<RecordingHttpClient>(*curl_);
    credentials_ = NewStaticCredentialsProvider(AwsCredentials{
        .access_key_id = "AKIDEXAMPLETEST", .secret_access_key = "secret", .source = "test"});
    Connect(moto_->endpoint());
  }

  // (Re)builds the clients against `endpoint` (moto, or the FaultProxy in front of it).
  void Connect(const std::string& endpoint, CloudWatchLogsClientOptions options = {}) {
    client_.reset();
    aws_ = std::make_unique<AwsServiceClient>(
        kCloudWatchLogs,
        AwsClientOptions{.region = "us-east-1",
                         .endpoint = endpoint,
                         .retry = RetryPolicy{.max_attempts = 4,
                                              .base_delay = std::chrono::milliseconds(1),
                                              .max_delay = std::chrono::milliseconds(5),
                                              .throttle_base_delay = std::chrono::milliseconds(2)}},
        *http_, *credentials_, SystemClock::Get());
    client_ = std::make_unique<CloudWatchLogsClient>(*aws_, options);
  }

  // Runs the aws CLI against moto and parses its JSON output (empty output: null).
  Json Cli(const std::vector<std::string>& args) {
    Result<std::string> out = moto_->RunAwsCli(args);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    if (!out.ok() || out->find_first_not_of(" \r\n") == std::string::npos) return nullptr;
    return Json::parse(*out);
  }

  // Writes `count` events round-robin over `streams` with the CLI; event i is at base + i s.
  void CliWriteEvents(const std::string& group, const std::vector<std::string>& streams, int count,
                      int64_t base_ms) {
    Cli({"logs", "create-log-group", "--log-group-name", group});
    for (size_t s = 0; s < streams.size(); ++s) {
      Cli({"logs", "create-log-stream", "--log-group-name", group, "--log-stream-name",
           streams[s]});
      Json events = Json::array();
      for (int i = static_cast<int>(s); i < count; i += static_cast<int>(streams.size())) {
        events.push_back(
            {{"timestamp", base_ms + int64_t{i} * 1000}, {"message", TrickyMessage(i)}});
      }
      Cli({"logs", "put-log-events", "--log-group-name", group, "--log-stream-name", streams[s],
           "--log-events", events.dump()});
    }
  }

  // Every event FilterAllPages delivers for `request`, and the number of pages.
  std::vector<FilteredLogEvent> FilterAll(const FilterLogEventsRequest& request,
                                          int* pages = nullptr) {
    std::vector<FilteredLogEvent> all;
    int n = 0;
    Status status = client_->FilterAllPages(request, [&](const FilterLogEventsPage& page) {
      ++n;
      all.insert(all.end(), page.events.begin(), page.events.end());
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    if (pages != nullptr) *pages = n;
    return all;
  }

  // Starts a FaultProxy in front of moto and points the clients at it.
  // Null (and a failure recorded) if it does not start.
  FaultProxy* StartProxy(CloudWatchLogsClientOptions options = {}) {
    Result<std::unique_ptr<FaultProxy>> proxy = FaultProxy::Start(moto_->endpoint());
    EXPECT_TRUE(proxy.ok()) << proxy.status().ToString();
    if (!proxy.ok()) return nullptr;
    proxy_ = std::move(proxy).value();
    Connect(proxy_->endpoint(), options);
    return proxy_.get();
  }

  // The same events as CliWriteEvents, written with our own client (faster than the CLI).
  void WriteEvents(const std::string& group, const std::vector<std::string>& streams, int count,
                   int64_t base_ms) {
    ASSERT_TRUE(client_->CreateLogGroup(group).ok());
    for (size_t s = 0; s < streams.size(); ++s) {
      ASSERT_TRUE(client_->CreateLogStream(group, streams[s]).ok());
      std::vector<InputLogEvent> events;
      for (int i = static_cast<int>(s); i < count; i += static_cast<int>(streams.size())) {
        events.push_back({base_ms + int64_t{i} * 1000, TrickyMessage(i)});
      }
      ASSERT_TRUE(client_->PutLogEvents(group, streams[s], std::move(events)).ok());
    }
  }

  static MotoServer* moto_;
  // Declared first so it is stopped after the HTTP clients have closed their keep-alive
  // connections (stopping it while one is open waits for the keep-alive timeout).
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<env::HttpClient> curl_;
  std::unique_ptr<RecordingHttpClient> http_;
  std::unique_ptr<CredentialsProvider> credentials_;
  std::unique_ptr<AwsServiceClient> aws_;
  std::unique_ptr<CloudWatchLogsClient> client_;
};

MotoServer* CloudWatchLogsClientTest::moto_ = nullptr;

const std::vector<std::string> kStreams = {"2026/11/21/[$LATEST]aaa", "2026/11/21/[$LATEST]bbb",
                                           "2026/11/21/[$LATEST]ccc"};
constexpr char kGroup[] = "API-Gateway-Execution-Logs_abc123/prod";

TEST_F(CloudWatchLogsClientTest, ReadsCliWrittenEventsAcrossManyPagesExactlyOnceInOrder) {
  const int64_t base = BaseTimeMs();
  CliWriteEvents(kGroup, kStreams, 250, base);

  Result<std::vector<LogGroup>> groups = client_->ListLogGroups();
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].name, kGroup);
  EXPECT_EQ((*groups)[0].arn,
            std::string("arn:aws:logs:us-east-1:123456789012:log-group:") + kGroup + ":*");
  EXPECT_GT((*groups)[0].creation_time_ms, 0);
  EXPECT_FALSE((*groups)[0].retention_days.has_value());

  Result<std::vector<LogStream>> streams = client_->ListLogStreams(kGroup);
  ASSERT_TRUE(streams.ok()) << streams.status().ToString();
  ASSERT_EQ(streams->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*streams)[i].name, kStreams[i]);
    ASSERT_TRUE((*streams)[i].first_event_timestamp_ms.has_value());
    EXPECT_EQ(*(*streams)[i].first_event_timestamp_ms, base + int64_t(i) * 1000);
  }

  // limit 7: 36 pages, the last one short.
  int pages = 0;
  std::vector<FilteredLogEvent> events = FilterAll({.log_group = kGroup, .limit = 7}, &pages);
  EXPECT_EQ(pages, 36);
  ASSERT_EQ(events.size(), 250u);
  std::set<std::string> ids;
  for (int i = 0; i < 250; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].message, TrickyMessage(i));
    EXPECT_EQ(events[i].timestamp_ms, base + int64_t{i} * 1000);
    EXPECT_EQ(events[i].log_stream_name, kStreams[i % 3]);
    EXPECT_GT(events[i].ingestion_time_ms, 0);
    EXPECT_FALSE(events[i].event_id.empty());
    ids.insert(events[i].event_id);
  }
  EXPECT_EQ(ids.size(), 250u);

  // The same group by ARN, as DescribeLogGroups returned it, through DescribeLogStreams.
  Result<LogStreamsPage> by_arn =
      client_->DescribeLogStreams({.log_group = (*groups)[0].arn, .limit = 2});
  ASSERT_TRUE(by_arn.ok()) << by_arn.status().ToString();
  EXPECT_EQ(by_arn->log_streams.size(), 2u);
  EXPECT_FALSE(by_arn->next_token.empty());

  // GetLogEvents forward through one stream, 7 at a time, until the token stops moving.
  std::vector<OutputLogEvent> stream_events;
  int get_pages = 0;
  Status status = client_->GetAllLogEvents(
      {.log_group = kGroup, .log_stream = kStreams[1], .limit = 7},
      [&](const GetLogEventsPage& page) {
        ++get_pages;
        stream_events.insert(stream_events.end(), page.events.begin(), page.events.end());
        return Status::Ok();
      });
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(stream_events.size(), 83u);  // i = 1, 4, ..., 247.
  EXPECT_EQ(get_pages, 12);
  for (size_t k = 0; k < stream_events.size(); ++k) {
    int i = 1 + 3 * static_cast<int>(k);
    EXPECT_EQ(stream_events[k].message, TrickyMessage(i));
    EXPECT_EQ(stream_events[k].timestamp_ms, base + int64_t{i} * 1000);
  }

  // One page from the tail (startFromHead=false, the AWS default) holds the newest events.
  Result<GetLogEventsPage> tail = client_->GetLogEvents(
      {.log_group = kGroup, .log_stream = kStreams[0], .start_from_head = false, .limit = 2});
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  ASSERT_EQ(tail->events.size(), 2u);
  EXPECT_EQ(tail->events[1].message, TrickyMessage(249));
  EXPECT_FALSE(tail->next_backward_token.empty());
}

TEST_F(CloudWatchLogsClientTest, WritesEventsTheCliReadsBack) {
  const int64_t base = BaseTimeMs();
  ASSERT_TRUE(client_->CreateLogGroup("own/group").ok());
  ASSERT_TRUE(client_->CreateLogStream("own/group", "stream-1").ok());
  // Out of order on purpose: the client sorts, keeping equal timestamps in their given order.
  std::vector<InputLogEvent> events;
  for (int i = 59; i >= 0; --i) events.push_back({base + (i / 2) * 1000, TrickyMessage(i)});
  std::string all_controls;
  for (char c = 1; c < 0x20; ++c) all_controls.push_back(c);
  events.push_back({base + 40000, "controls:" + all_controls + ":end"});
  Result<PutLogEventsResult> put = client_->PutLogEvents("own/group", "stream-1", events);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->batches, 1);
  EXPECT_EQ(put->too_new + put->too_old + put->expired, 0);

  std::vector<std::string> expected;
  for (int t = 0; t < 30; ++t) {
    expected.push_back(TrickyMessage(2 * t + 1));  // Given first at each timestamp.
    expected.push_back(TrickyMessage(2 * t));
  }
  expected.push_back("controls:" + all_controls + ":end");

  Json filtered =
      Cli({"logs", "filter-log-events", "--log-group-name", "own/group", "--interleaved"});
  ASSERT_TRUE(filtered.is_object());
  ASSERT_EQ(filtered["events"].size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(filtered["events"][i]["message"].get<std::string>(), expected[i]) << i;
    EXPECT_EQ(filtered["events"][i]["logStreamName"].get<std::string>(), "stream-1");
  }
  Json got = Cli({"logs", "get-log-events", "--log-group-name", "own/group", "--log-stream-name",
                  "stream-1", "--start-from-head"});
  ASSERT_TRUE(got.is_object());
  ASSERT_EQ(got["events"].size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(got["events"][i]["message"].get<std::string>(), expected[i]) << i;
    EXPECT_EQ(got["events"][i]["timestamp"].get<int64_t>(),
              i + 1 < expected.size() ? base + int64_t(i / 2) * 1000 : base + 40000);
  }
}

TEST_F(CloudWatchLogsClientTest, PutLogEventsSplitsIntoBatchesAndAFullPageReadsBack) {
  const int64_t base = BaseTimeMs();
  ASSERT_TRUE(client_->CreateLogGroup("big").ok());
  ASSERT_TRUE(client_->CreateLogStream("big", "s").ok());
  std::vector<InputLogEvent> events;
  for (int i = 0; i < 10050; ++i) events.push_back({base + i, "m" + std::to_string(i)});
  Result<PutLogEventsResult> put = client_->PutLogEvents("big", "s", std::move(events));
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->batches, 2);

  int pages = 0;
  std::vector<FilteredLogEvent> read = FilterAll({.log_group = "big"}, &pages);
  EXPECT_EQ(pages, 2);  // The default limit is 10,000 events.
  ASSERT_EQ(read.size(), 10050u);
  for (int i = 0; i < 10050; ++i) ASSERT_EQ(read[i].message, "m" + std::to_string(i));
}

TEST_F(CloudWatchLogsClientTest, TimeWindowsAndStreamNames) {
  const int64_t base = BaseTimeMs();
  WriteEvents(kGroup, kStreams, 60, base);

  // FilterLogEvents: start inclusive, and an event exactly at end is returned too.
  std::vector<FilteredLogEvent> window =
      FilterAll({.log_group = kGroup, .start_time_ms = base + 10000, .end_time_ms = base + 20000});
  ASSERT_EQ(window.size(), 11u);
  EXPECT_EQ(window.front().message, TrickyMessage(10));
  EXPECT_EQ(window.back().message, TrickyMessage(20));

  // Only two of the three streams, in a window, 2 per page.
  std::vector<FilteredLogEvent> two = FilterAll({.log_group = kGroup,
                                                 .stream_names = {kStreams[0], kStreams[2]},
                                                 .start_time_ms = base + 30000,
                                                 .limit = 2});
  std::vector<std::string> expected;
  for (int i = 30; i < 60; ++i) {
    if (i % 3 != 1) expected.push_back(TrickyMessage(i));
  }
  ASSERT_EQ(two.size(), expected.size());
  for (size_t k = 0; k < two.size(); ++k) {
    EXPECT_EQ(two[k].message, expected[k]);
    EXPECT_NE(two[k].log_stream_name, kStreams[1]);
  }

  // GetLogEvents: start inclusive; an end between two events (AWS excludes an event at end,
  // moto includes it, so the boundary itself is not asserted here).
  std::vector<OutputLogEvent> got;
  Status status =
      client_->GetAllLogEvents({.log_group = kGroup,
                                .log_stream = kStreams[0],
                                .start_time_ms = base + 9000,
                                .end_time_ms = base + 21500},
                               [&](const GetLogEventsPage& page) {
                                 got.insert(got.end(), page.events.begin(), page.events.end());
                                 return Status::Ok();
                               });
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(got.size(), 5u);  // 9, 12, 15, 18, 21.
  EXPECT_EQ(got.front().message, TrickyMessage(9));
  EXPECT_EQ(got.back().message, TrickyMessage(21));

  // A filter pattern (moto supports plain terms).
  std::vector<FilteredLogEvent> matched =
      FilterAll({.log_group = kGroup, .filter_pattern = "\"event-42 \""});
  ASSERT_EQ(matched.size(), 1u);
  EXPECT_EQ(matched[0].message, TrickyMessage(42));
}

TEST_F(CloudWatchLogsClientTest, DescribeLogGroupsPrefixAndPagination) {
  for (int i = 0; i < 120; ++i) {
    char name[48];
    std::snprintf(name, sizeof name, "API-Gateway-Execution-Logs_%03d/prod", i);
    ASSERT_TRUE(client_->CreateLogGroup(name).ok());
  }
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(client_->CreateLogGroup("/aws/lambda/f" + std::to_string(i)).ok());
  Cli({"logs", "put-retention-policy", "--log-group-name", "/aws/lambda/f3", "--retention-in-days",
       "7"});

  Result<std::vector<LogGroup>> apigw = client_->ListLogGroups("API-Gateway-Execution-Logs_");
  ASSERT_TRUE(apigw.ok()) << apigw.status().ToString();
  ASSERT_EQ(apigw->size(), 120u);
  EXPECT_TRUE(std::is_sorted(apigw->begin(), apigw->end(),
                             [](const LogGroup& a, const LogGroup& b) { return a.name < b.name; }));
  EXPECT_EQ(apigw->front().name, "API-Gateway-Execution-Logs_000/prod");
  EXPECT_EQ(apigw->back().name, "API-Gateway-Execution-Logs_119/prod");

  // Page by page: 50, 50, 20.
  DescribeLogGroupsRequest request{.name_prefix = "API-Gateway-Execution-Logs_", .limit = 50};
  std::vector<size_t> sizes;
  for (int guard = 0; guard < 10; ++guard) {
    Result<LogGroupsPage> page = client_->DescribeLogGroups(request);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    sizes.push_back(page->log_groups.size());
    if (page->next_token.empty()) break;
    request.next_token = page->next_token;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{50, 50, 20}));

  Result<std::vector<LogGroup>> lambda = client_->ListLogGroups("/aws/lambda/");
  ASSERT_TRUE(lambda.ok());
  ASSERT_EQ(lambda->size(), 5u);
  EXPECT_EQ((*lambda)[3].retention_days, std::optional<int32_t>(7));
  EXPECT_FALSE((*lambda)[2].retention_days.has_value());

  Result<std::vector<LogGroup>> all = client_->ListLogGroups();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 125u);

  Result<LogGroupsPage> too_many = client_->DescribeLogGroups({.limit = 51});
  EXPECT_EQ(too_many.status().code(), StatusCode::kInvalidArgument);
  Result<LogGroupsPage> both =
      client_->DescribeLogGroups({.name_prefix = "a", .name_pattern = "b"});
  EXPECT_EQ(both.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CloudWatchLogsClientTest, SubscriptionFiltersPutDescribeDelete) {
  ASSERT_TRUE(client_->CreateLogGroup(kGroup).ok());
  Cli({"kinesis", "create-stream", "--stream-name", "gatescope-sink", "--shard-count", "1"});
  Json summary = Cli({"kinesis", "describe-stream-summary", "--stream-name", "gatescope-sink"});
  const std::string stream_arn = summary["StreamDescriptionSummary"]["StreamARN"];
  const std::string role_arn = "arn:aws:iam::123456789012:role/cwl-to-kinesis";

  ASSERT_TRUE(client_
                  ->PutSubscriptionFilter({.log_group_name = kGroup,
                                           .filter_name = "gatescope",
                                           .filter_pattern = "",
                                           .destination_arn = stream_arn,
                                           .role_arn = role_arn,
                                           .distribution = "Random"})
                  .ok());
  Result<std::vector<SubscriptionFilter>> filters = client_->DescribeSubscriptionFilters(kGroup);
  ASSERT_TRUE(filters.ok()) << filters.status().ToString();
  ASSERT_EQ(filters->size(), 1u);
  EXPECT_EQ((*filters)[0].filter_name, "gatescope");
  EXPECT_EQ((*filters)[0].log_group_name, kGroup);
  EXPECT_EQ((*filters)[0].destination_arn, stream_arn);
  EXPECT_EQ((*filters)[0].role_arn, role_arn);
  EXPECT_EQ((*filters)[0].filter_pattern, "");
  // moto 5.2 always reports ByLogStream, whatever was put.
  EXPECT_FALSE((*filters)[0].distribution.empty());
  EXPECT_GT((*filters)[0].creation_time_ms, 0);

  // Same name: replaced, not added. The CLI sees our filter.
  ASSERT_TRUE(client_
                  ->PutSubscriptionFilter({.log_group_name = kGroup,
                                           .filter_name = "gatescope",
                                           .filter_pattern = "\"Method request\"",
                                           .destination_arn = stream_arn,
                                           .role_arn = role_arn})
                  .ok());
  Json cli = Cli({"logs", "describe-subscription-filters", "--log-group-name", kGroup});
  ASSERT_EQ(cli["subscriptionFilters"].size(), 1u);
  EXPECT_EQ(cli["subscriptionFilters"][0]["filterPattern"], "\"Method request\"");

  Result<std::vector<SubscriptionFilter>> prefixed =
      client_->DescribeSubscriptionFilters(kGroup, "gate");
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ(prefixed->size(), 1u);

  // A destination that does not exist is refused by the service.
  Status missing_destination = client_->PutSubscriptionFilter(
      {.log_group_name = kGroup,
       .filter_name = "other",
       .destination_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/nope",
       .role_arn = role_arn});
  EXPECT_EQ(missing_destination.code(), StatusCode::kInvalidArgument)
      << missing_destination.ToString();

  ASSERT_TRUE(client_->DeleteSubscriptionFilter(kGroup, "gatescope").ok());
  filters = client_->DescribeSubscriptionFilters(kGroup);
  ASSERT_TRUE(filters.ok());
  EXPECT_TRUE(filters->empty());
  Status again = client_->DeleteSubscriptionFilter(kGroup, "gatescope");
  EXPECT_EQ(again.code(), StatusCode::kNotFound) << again.ToString();
}

TEST_F(CloudWatchLogsClientTest, ErrorsCarryTheAwsCode) {
  Result<FilterLogEventsPage> page = client_->FilterLogEvents({.log_group = "no/such/group"});
  EXPECT_EQ(page.status().code(), StatusCode::kNotFound);
  EXPECT_NE(page.status().message().find("ResourceNotFoundException"), std::string::npos)
      << page.status().ToString();
  EXPECT_NE(page.status().message().find("logs:FilterLogEvents"), std::string::npos);

  Result<GetLogEventsPage> get =
      client_->GetLogEvents({.log_group = "no/such/group", .log_stream = "s"});
  EXPECT_EQ(get.status().code(), StatusCode::kNotFound) << get.status().ToString();
  Result<std::vector<LogStream>> streams = client_->ListLogStreams("no/such/group");
  EXPECT_EQ(streams.status().code(), StatusCode::kNotFound) << streams.status().ToString();

  ASSERT_TRUE(client_->CreateLogGroup("dup").ok());
  Status dup = client_->CreateLogGroup("dup");
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("ResourceAlreadyExistsException"), std::string::npos)
      << dup.ToString();

  // Refused before sending: nothing reaches the service.
  const size_t sent = http_->bodies().size();
  EXPECT_EQ(
      client_->FilterLogEvents({.log_group = "g", .stream_names = {"a"}, .stream_name_prefix = "b"})
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(client_->FilterLogEvents({.log_group = "g", .limit = 10001}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(client_->FilterLogEvents({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      client_
          ->DescribeLogStreams(
              {.log_group = "g", .name_prefix = "x", .order_by = LogStreamOrder::kLastEventTime})
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(client_->PutLogEvents("g", "s", {{1, ""}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(http_->bodies().size(), sent);
}

TEST_F(CloudWatchLogsClientTest, ThrottlingTwiceThenSuccessIsRetried) {
  const int64_t base = BaseTimeMs();
  WriteEvents(kGroup, kStreams, 9, base);
  FaultProxy* proxy = StartProxy();
  ASSERT_NE(proxy, nullptr);
  proxy->Enqueue({{.fault = Fault::kThrottleJson}, {.fault = Fault::kThrottleJson}});

  Result<FilterLogEventsPage> page = client_->FilterLogEvents({.log_group = kGroup});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->events.size(), 9u);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(page->events[i].message, TrickyMessage(i));
  EXPECT_TRUE(page->next_token.empty());

  std::vector<FaultProxy::SeenRequest> seen = proxy->requests();
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& r : seen) EXPECT_EQ(r.target, "Logs_20140328.FilterLogEvents");
  EXPECT_TRUE(seen[0].faulted);
  EXPECT_TRUE(seen[1].faulted);
  EXPECT_FALSE(seen[2].faulted);
  EXPECT_EQ(aws_->stats().throttled, 2u);
  EXPECT_EQ(aws_->stats().attempts, 3u);
}

TEST_F(CloudWatchLogsClientTest, FilterAllPagesFollowsEmptyPagesUntilTheTokenIsGone) {
  FaultProxy* proxy = StartProxy();
  ASSERT_NE(proxy, nullptr);
  proxy->Enqueue(
      {{.fault = Fault::kRespond,
        .body = R"({"events":[{"logStreamName":"s1","timestamp":1000,"ingestionTime":1001,)"
                R"("eventId":"e1","message":"one"},{"logStreamName":"s2","timestamp":1001,)"
                R"("ingestionTime":1002,"eventId":"e2","message":"two\n"}],)"
                R"("searchedLogStreams":[],"nextToken":"tok-A/+="})"},
       {.fault = Fault::kRespond, .body = R"({"events":[],"nextToken":"tok-B"})"},
       {.fault = Fault::kRespond,
        .body = R"({"events":[{"logStreamName":"s1","timestamp":1002,"ingestionTime":1003,)"
                R"("eventId":"e3","message":"three"}],"nextToken":null})"}});

  std::vector<size_t> page_sizes;
  std::vector<std::string> messages;
  Status status = client_->FilterAllPages({.log_group = "scripted", .start_time_ms = 1000},
                                          [&](const FilterLogEventsPage& page) {
                                            page_sizes.push_back(page.events.size());
                                            for (const FilteredLogEvent& e : page.events)
                                              messages.push_back(e.message);
                                            return Status::Ok();
                                          });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(page_sizes, (std::vector<size_t>{2, 0, 1}));
  EXPECT_EQ(messages, (std::vector<std::string>{"one", "two\n", "three"}));

  std::vector<std::string> bodies = http_->bodies();
  ASSERT_EQ(bodies.size(), 3u);
  std::vector<Json> sent;
  for (const std::string& b : bodies) sent.push_back(Json::parse(b));
  EXPECT_FALSE(sent[0].contains("nextToken"));
  EXPECT_EQ(sent[1]["nextToken"], "tok-A/+=");
  EXPECT_EQ(sent[2]["nextToken"], "tok-B");
  for (const Json& b : sent) {
    EXPECT_EQ(b["logGroupName"], "scripted");
    EXPECT_EQ(b["startTime"], 1000);
  }
  EXPECT_EQ(proxy->requests().size(), 3u);
}

TEST_F(CloudWatchLogsClientTest, FilterAllPagesStopsOnARepeatedToken) {
  FaultProxy* proxy = StartProxy({.max_repeated_tokens = 2});
  ASSERT_NE(proxy, nullptr);
  const FaultSpec stuck{.fault = Fault::kRespond, .body = R"({"events":[],"nextToken":"T"})"};
  proxy->Enqueue({stuck, stuck, stuck, stuck});
  int pages = 0;
  Status status = client_->FilterAllPages({.log_group = "g"}, [&](const FilterLogEventsPage&) {
    ++pages;
    return Status::Ok();
  });
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("same nextToken"), std::string::npos);
  // "" -> T (new), T -> T (1), T -> T (2: stop).
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(proxy->requests().size(), 3u);
}

TEST_F(CloudWatchLogsClientTest, CallbackErrorStopsThePagination) {
  WriteEvents(kGroup, kStreams, 30, BaseTimeMs());
  int pages = 0;
  Status status =
      client_->FilterAllPages({.log_group = kGroup, .limit = 5}, [&](const FilterLogEventsPage&) {
        return ++pages == 2 ? Status(StatusCode::kCancelled, "enough") : Status::Ok();
      });
  EXPECT_EQ(status.code(), StatusCode::kCancelled);
  EXPECT_EQ(pages, 2);
}

TEST_F(CloudWatchLogsClientTest, UnreadableResponseIsAParseError) {
  FaultProxy* proxy = StartProxy();
  ASSERT_NE(proxy, nullptr);
  proxy->Enqueue({{.fault = Fault::kRespond, .body = "<html>gateway</html>"}});
  Result<FilterLogEventsPage> page = client_->FilterLogEvents({.log_group = "g"});
  EXPECT_EQ(page.status().code(), StatusCode::kParseError) << page.status().ToString();
}

// Parsers and batching, without a server.

TEST(CloudWatchLogsParseTest, FilterPageSkipsUnknownMembersAndReadsNullAsAbsent) {
  Result<FilterLogEventsPage> page = ParseFilterLogEventsResponse(
      R"({"searchedLogStreams":[{"logStreamName":"x","searchedCompletely":true}],)"
      R"("events":[{"extra":{"a":[1,2]},"message":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/",)"
      R"("timestamp":1700000000123,"eventId":"id1","logStreamName":null,"ingestionTime":5}],)"
      R"("nextToken":null})");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->events[0].message, "café 😀 \"q\" \\ /");
  EXPECT_EQ(page->events[0].timestamp_ms, 1700000000123);
  EXPECT_EQ(page->events[0].ingestion_time_ms, 5);
  EXPECT_EQ(page->events[0].event_id, "id1");
  EXPECT_EQ(page->events[0].log_stream_name, "");
  EXPECT_TRUE(page->next_token.empty());

  Result<FilterLogEventsPage> empty = ParseFilterLogEventsResponse(R"({"events":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->events.empty());
}

TEST(CloudWatchLogsParseTest, FilterPageReuseLeavesNoStaleFields) {
  FilterLogEventsPage page;
  ASSERT_TRUE(ParseFilterLogEventsResponse(
                  R"({"events":[{"message":"a","eventId":"1","logStreamName":"s"},)"
                  R"({"message":"b"},{"message":"c"}],"nextToken":"n"})",
                  page)
                  .ok());
  ASSERT_EQ(page.events.size(), 3u);
  ASSERT_TRUE(ParseFilterLogEventsResponse(R"({"events":[{"message":"z"}]})", page).ok());
  ASSERT_EQ(page.events.size(), 1u);
  EXPECT_EQ(page.events[0].message, "z");
  EXPECT_EQ(page.events[0].event_id, "");
  EXPECT_EQ(page.events[0].log_stream_name, "");
  EXPECT_TRUE(page.next_token.empty());
}

TEST(CloudWatchLogsParseTest, WrongTypesAndGarbageAreParseErrors) {
  for (const char* body :
       {"", "null", "[]", "{", R"({"events":{}})", R"({"events":[{"timestamp":"1"}]})",
        R"({"events":[{"message":1}]})", R"({"nextToken":5})", R"({"events":[1]})",
        R"({"events":[{"message":"unterminated}]})"}) {
    FilterLogEventsPage page;
    Status status = ParseFilterLogEventsResponse(body, page);
    EXPECT_EQ(status.code(), StatusCode::kParseError) << body;
    EXPECT_TRUE(page.events.empty()) << body;
  }
  Result<FilterLogEventsPage> typed =
      ParseFilterLogEventsResponse(R"({"events":[{"timestamp":"x"}]})");
  EXPECT_NE(typed.status().message().find("events[].timestamp"), std::string::npos)
      << typed.status().ToString();
}

TEST(CloudWatchLogsParseTest, OtherResponses) {
  Result<GetLogEventsPage> get =
      ParseGetLogEventsResponse(R"({"events":[{"timestamp":1,"message":"m","ingestionTime":2}],)"
                                R"("nextForwardToken":"f/1","nextBackwardToken":"b/0"})");
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  ASSERT_EQ(get->events.size(), 1u);
  EXPECT_EQ(get->events[0].ingestion_time_ms, 2);
  EXPECT_EQ(get->next_forward_token, "f/1");
  EXPECT_EQ(get->next_backward_token, "b/0");

  Result<LogGroupsPage> groups = ParseDescribeLogGroupsResponse(
      R"({"logGroups":[{"logGroupName":"g","arn":"arn:aws:logs:r:1:log-group:g:*",)"
      R"("creationTime":3,"retentionInDays":30,"logGroupClass":"STANDARD","storedBytes":9,)"
      R"("metricFilterCount":0,"logGroupArn":"arn:aws:logs:r:1:log-group:g"},)"
      R"({"logGroupName":"h"}],"nextToken":"t"})");
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ(groups->log_groups.size(), 2u);
  EXPECT_EQ(groups->log_groups[0].retention_days, std::optional<int32_t>(30));
  EXPECT_EQ(groups->log_groups[0].log_group_class, "STANDARD");
  EXPECT_EQ(groups->log_groups[0].stored_bytes, 9);
  EXPECT_FALSE(groups->log_groups[1].retention_days.has_value());
  EXPECT_EQ(groups->next_token, "t");

  Result<LogStreamsPage> streams = ParseDescribeLogStreamsResponse(
      R"({"logStreams":[{"logStreamName":"s","creationTime":1,"lastEventTimestamp":7}]})");
  ASSERT_TRUE(streams.ok());
  EXPECT_EQ(streams->log_streams[0].last_event_timestamp_ms, std::optional<int64_t>(7));
  EXPECT_FALSE(streams->log_streams[0].first_event_timestamp_ms.has_value());

  Result<SubscriptionFiltersPage> filters = ParseDescribeSubscriptionFiltersResponse(
      R"({"subscriptionFilters":[{"filterName":"f","distribution":"Random"}]})");
  ASSERT_TRUE(filters.ok());
  EXPECT_EQ(filters->filters[0].distribution, "Random");
}

TEST(CloudWatchLogsBatchTest, SplitsByCountBytesAndSpan) {
  std::vector<InputLogEvent> many(10001, InputLogEvent{1, "x"});
  Result<std::vector<std::vector<InputLogEvent>>> by_count = SplitPutLogEventsBatches(many);
  ASSERT_TRUE(by_count.ok());
  ASSERT_EQ(by_count->size(), 2u);
  EXPECT_EQ((*by_count)[0].size(), 10000u);

  // Two events of exactly half the budget fill one batch; one more byte needs another.
  const size_t half = kMaxPutLogEventsBytes / 2 - kPutLogEventOverheadBytes;
  Result<std::vector<std::vector<InputLogEvent>>> by_bytes = SplitPutLogEventsBatches(
      {{1, std::string(half, 'a')}, {2, std::string(half, 'b')}, {3, "c"}});
  ASSERT_TRUE(by_bytes.ok());
  ASSERT_EQ(by_bytes->size(), 2u);
  EXPECT_EQ((*by_bytes)[0].size(), 2u);

  const int64_t day = kMaxPutLogEventsSpanMs;
  Result<std::vector<std::vector<InputLogEvent>>> by_span =
      SplitPutLogEventsBatches({{day, "c"}, {0, "a"}, {day - 1, "b"}});
  ASSERT_TRUE(by_span.ok());
  ASSERT_EQ(by_span->size(), 2u);
  EXPECT_EQ((*by_span)[0][0].message, "a");
  EXPECT_EQ((*by_span)[0][1].message, "b");
  EXPECT_EQ((*by_span)[1][0].message, "c");

  Result<std::vector<std::vector<InputLogEvent>>> stable =
      SplitPutLogEventsBatches({{5, "first"}, {1, "early"}, {5, "second"}});
  ASSERT_TRUE(stable.ok());
  ASSERT_EQ(stable->size(), 1u);
  EXPECT_EQ((*stable)[0][1].message, "first");
  EXPECT_EQ((*stable)[0][2].message, "second");
}

TEST(CloudWatchLogsBatchTest, RejectsEventsNoBatchCanCarry) {
  auto bad_utf8 = SplitPutLogEventsBatches({{1, "ok"}, {2, "bad \xff\xfe"}});
  EXPECT_EQ(bad_utf8.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_utf8.status().message().find("event 1"), std::string::npos);
  EXPECT_EQ(SplitPutLogEventsBatches({{1, ""}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitPutLogEventsBatches(
                {{1, std::string(kMaxPutLogEventsBytes - kPutLogEventOverheadBytes + 1, 'x')}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(SplitPutLogEventsBatches(
                  {{1, std::string(kMaxPutLogEventsBytes - kPutLogEventOverheadBytes, 'x')}})
                  .ok());
  auto none = SplitPutLogEventsBatches({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace gatescope::aws
