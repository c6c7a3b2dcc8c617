// CloudWatchLogsSource against a real moto_server on a loopback port: events written with
// PutLogEvents are emitted exactly once over several runs whose checkpoint goes through
// serialise/parse (as across process restarts), late events are picked up by the look-back,
// deadlines stop between pages without skipping anything, and a group far behind catches up
// window by window. Time is a FakeClock set near the real time (moto rejects events older than
// 14 days or more than 2 hours ahead of its own clock).
#include "sources/cloudwatch_logs_source.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/cloudwatch_logs_client.h"
#include "aws/credentials.h"
#include "env/http_client.h"
#include "pipeline/event_counters.h"
#include "sources/checkpoint.h"
#include "tests/support/moto_server.h"
#include "tests/support/moto_test.h"
#include "tests/support/test_util.h"

namespace gatescope::sources {
namespace {

using ::gatescope::testing::FakeClock;
using ::gatescope::testing::OwnedRecord;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kGroup[] = "API-Gateway-Execution-Logs_abc123/prod";

class CloudWatchLogsSourceTest : public testing::MotoTest {
 protected:
  void SetUp() override {
    MotoTest::SetUp();
    if (HasFatalFailure()) return;
    aws_ = std::make_unique<aws::AwsServiceClient>(
        aws::kCloudWatchLogs,
        aws::AwsClientOptions{.region = "us-east-1",
                              .endpoint = moto_->endpoint(),
                              .retry = aws::RetryPolicy{.max_attempts = 3,
                                                        .base_delay = milliseconds(1),
                                                        .max_delay = milliseconds(5),
                                                        .throttle_base_delay = milliseconds(2)}},
        *http_, *credentials_, SystemClock::Get());
    logs_ = std::make_unique<aws::CloudWatchLogsClient>(*aws_);
    // Bring the fake clock to a whole minute an hour before the real time.
    const int64_t real_ms = std::chrono::duration_cast<milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
    const int64_t target_ms = (real_ms / 60000) * 60000 - 3600000;
    clock_.Advance(milliseconds(target_ms - NowMs()));
    ASSERT_TRUE(logs_->CreateLogGroup(kGroup).ok());
    for (const char* stream : {"s1", "s2"}) {
      ASSERT_TRUE(logs_->CreateLogStream(kGroup, stream).ok());
    }
  }

  int64_t NowMs() const {
    return std::chrono::duration_cast<milliseconds>(clock_.Now().time_since_epoch()).count();
  }

  void Put(const std::string& stream, std::vector<aws::InputLogEvent> events) {
    Result<aws::PutLogEventsResult> put = logs_->PutLogEvents(kGroup, stream, std::move(events));
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    EXPECT_EQ(put->too_old + put->too_new + put->expired, 0);
  }

  // One Read with a deadline far away (or `deadline`), collecting what it emits.
  Result<PullStats> Run(CloudWatchLogsSource& source, Checkpoint& cp, std::vector<OwnedRecord>& out,
                        pipeline::EventCounters& counters,
                        std::chrono::steady_clock::time_point deadline = {}) {
    if (deadline == std::chrono::steady_clock::time_point{}) {
      deadline = clock_.MonotonicNow() + std::chrono::hours(1);
    }
    return source.Read(
        &cp, deadline, [&](const model::RawRecord& r) { out.push_back(OwnedRecord::From(r)); },
        counters);
  }

  // A process restart: the checkpoint as the store would give it back.
  static Checkpoint Reload(const Checkpoint& cp) {
    Result<Checkpoint> parsed = ParseCheckpoint(SerializeCheckpoint(cp));
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return parsed.ok() ? *parsed : Checkpoint{};
  }

  static std::map<std::string, int> CountMessages(const std::vector<OwnedRecord>& records) {
    std::map<std::string, int> counts;
    for (const OwnedRecord& r : records) ++counts[r.message];
    return counts;
  }

  FakeClock clock_;
  std::unique_ptr<aws::AwsServiceClient> aws_;
  std::unique_ptr<aws::CloudWatchLogsClient> logs_;
};


TEST_F(CloudWatchLogsSourceTest, ExactlyOnceAcrossRunsWithLateEventsAndSameMillisecond) {
  const int64_t n = NowMs();
  Put("s1", {{n - 240000, "e1"}, {n - 120000, "e3 same ms"}, {n - 30000, "e5 after lag"}});
  Put("s2", {{n - 180000, "e2"}, {n - 120000, "e4 same ms"}, {n - 400000, "e0 before start"}});

  CloudWatchLogsSource source(PullOptions{}, *logs_, clock_);
  Checkpoint cp{.log_group = kGroup};
  std::vector<OwnedRecord> out;
  pipeline::EventCounters counters;

  // Run 1: a first read covers [now - 6 min, now - 1 min).
  Result<PullStats> first = Run(source, cp, out, counters);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->events, 4u);
  EXPECT_EQ(first->duplicates, 0u);
  EXPECT_TRUE(first->caught_up);
  EXPECT_EQ(first->read_until_ms, n - 60000);
  EXPECT_EQ(cp.end_ms, n - 60000);
  EXPECT_EQ(first->streams, (std::set<std::string>{"s1", "s2"}));
  std::map<std::string, int> counts = CountMessages(out);
  EXPECT_EQ(counts["e3 same ms"], 1);  // Two events in one millisecond: both delivered.
  EXPECT_EQ(counts["e4 same ms"], 1);
  EXPECT_EQ(counts.count("e5 after lag"), 0u);
  EXPECT_EQ(counts.count("e0 before start"), 0u);
  for (const OwnedRecord& r : out) {
    EXPECT_EQ(r.log_group, kGroup);
    EXPECT_FALSE(r.event_id.empty());
    EXPECT_TRUE(r.log_stream == "s1" || r.log_stream == "s2") << r.log_stream;
  }
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].message, "e1");
  EXPECT_EQ(out[0].timestamp_ms, n - 240000);

  // Two minutes later, a late event arrives inside the look-back window.
  cp = Reload(cp);
  clock_.Advance(minutes(2));
  Put("s2", {{n - 210000, "e6 late"}});
  Result<PullStats> second = Run(source, cp, out, counters);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->events, 2u);      // e5 and e6.
  EXPECT_EQ(second->duplicates, 4u);  // e1..e4 re-read in the look-back window.
  EXPECT_EQ(cp.end_ms, n + 60000);

  // Same time again: nothing new to read.
  cp = Reload(cp);
  Result<PullStats> same = Run(source, cp, out, counters);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->events, 0u);
  EXPECT_EQ(same->api_calls, 0u);
  EXPECT_TRUE(same->caught_up);

  // Ten minutes later: the look-back re-reads what is left of the window, delivers nothing.
  cp = Reload(cp);
  clock_.Advance(minutes(10));
  Result<PullStats> third = Run(source, cp, out, counters);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->events, 0u);

  counts = CountMessages(out);
  EXPECT_EQ(out.size(), 6u);
  for (const char* m : {"e1", "e2", "e3 same ms", "e4 same ms", "e5 after lag", "e6 late"}) {
    EXPECT_EQ(counts[m], 1) << m;
  }
  EXPECT_EQ(counters.received(),
            out.size() + counters.drops(pipeline::DropReason::kDuplicateEvent));
  EXPECT_GE(counters.drops(pipeline::DropReason::kDuplicateEvent), 4u);
  // Pruned to the look-back window: nothing older than end - 5 min is remembered.
  for (const auto& [timestamp_ms, hash] : cp.entries()) EXPECT_GE(timestamp_ms, cp.end_ms - 300000);
}

TEST_F(CloudWatchLogsSourceTest, DuplicatesInsideTheWindowAreFilteredAndCounted) {
  const int64_t n = NowMs();
  Put("s1", {{n - 200000, "a"}, {n - 100000, "b"}});
  CloudWatchLogsSource source(PullOptions{}, *logs_, clock_);
  Checkpoint cp{.log_group = kGroup};
  std::vector<OwnedRecord> out;
  pipeline::EventCounters counters;
  ASSERT_TRUE(Run(source, cp, out, counters).ok());
  ASSERT_EQ(out.size(), 2u);

  // The same window read again from an older checkpoint that already holds "a": a retry after
  // a failed save, say. "a" is filtered, "b" (not in the older checkpoint) is delivered again.
  Checkpoint older{.log_group = kGroup, .end_ms = n - 150000};
  older.Add(out[0].timestamp_ms, out[0].event_id);
  std::vector<OwnedRecord> again;
  pipeline::EventCounters counters2;
  Result<PullStats> stats = Run(source, older, again, counters2);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->duplicates, 1u);
  EXPECT_EQ(stats->events, 1u);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].message, "b");
  EXPECT_EQ(counters2.received(), 2u);
  EXPECT_EQ(counters2.drops(pipeline::DropReason::kDuplicateEvent), 1u);
  EXPECT_EQ(counters2.filtered(), 1u);
}

TEST_F(CloudWatchLogsSourceTest, DeadlinePassedReadsNothingAndLeavesCheckpointUsable) {
  const int64_t n = NowMs();
  Put("s1", {{n - 200000, "a"}, {n - 100000, "b"}});
  CloudWatchLogsSource source(PullOptions{}, *logs_, clock_);
  Checkpoint cp{.log_group = kGroup};
  std::vector<OwnedRecord> out;
  pipeline::EventCounters counters;
  Result<PullStats> stats = Run(source, cp, out, counters, clock_.MonotonicNow() - milliseconds(1));
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->events, 0u);
  EXPECT_EQ(stats->api_calls, 0u);
  EXPECT_FALSE(stats->caught_up);
  EXPECT_TRUE(out.empty());
  // The start of the first read is fixed, so a later run does not skip ahead.
  EXPECT_EQ(cp.end_ms, n - 60000 - 300000);

  cp = Reload(cp);
  clock_.Advance(minutes(30));  // Much later: still starts where the first run would have.
  Result<PullStats> later = Run(source, cp, out, counters);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->events, 2u);
  EXPECT_TRUE(later->caught_up);
}

TEST_F(CloudWatchLogsSourceTest, DeadlineBetweenPagesSkipsNothing) {
  const int64_t n = NowMs();
  // Ten events; events 3 and 4 (0-based) share a millisecond and pages hold two events, so a
  // page boundary falls between them.
  std::vector<aws::InputLogEvent> events;
  for (int i = 0; i < 10; ++i) {
    int64_t ts = n - 250000 + (i == 4 ? 3 : i) * 1000;
    events.push_back({ts, "m" + std::to_string(i)});
  }
  Put("s1", events);
  CloudWatchLogsSource source(PullOptions{.page_limit = 2}, *logs_, clock_);
  Checkpoint cp{.log_group = kGroup};
  std::vector<OwnedRecord> out;
  pipeline::EventCounters counters;
  const auto deadline = clock_.MonotonicNow() + seconds(10);
  // Time passes while the events are handled: the deadline passes during the second page.
  Result<PullStats> first = source.Read(
      &cp, deadline,
      [&](const model::RawRecord& r) {
        out.push_back(OwnedRecord::From(r));
        if (out.size() == 3) clock_.Advance(seconds(11));
      },
      counters);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->caught_up);
  EXPECT_EQ(first->events, 4u);  // Two whole pages.
  EXPECT_EQ(first->api_calls, 2u);
  // The last millisecond read in part (m3's, which m4 shares) bounds what was read.
  EXPECT_EQ(cp.end_ms, n - 250000 + 3000);
  EXPECT_EQ(first->read_until_ms, cp.end_ms);

  cp = Reload(cp);
  Result<PullStats> second = Run(source, cp, out, counters);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->caught_up);
  EXPECT_EQ(second->duplicates, 4u);  // m0..m3 again (the look-back covers them).
  std::map<std::string, int> counts = CountMessages(out);
  ASSERT_EQ(out.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(counts["m" + std::to_string(i)], 1) << i;
}

TEST_F(CloudWatchLogsSourceTest, GroupFarBehindCatchesUpWindowByWindow) {
  const int64_t n = NowMs();
  std::vector<aws::InputLogEvent> events;
  for (int i = 0; i < 12; ++i)
    events.push_back({n - 3600000 + i * 300000, "w" + std::to_string(i)});
  Put("s2", events);
  CloudWatchLogsSource source(PullOptions{}, *logs_, clock_);
  // Last read an hour ago.
  Checkpoint cp{.log_group = kGroup, .end_ms = n - 3600000};
  std::vector<OwnedRecord> out;
  pipeline::EventCounters counters;
  Result<PullStats> stats = Run(source, cp, out, counters);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  // [n-65, n-45), [n-45, n-30), [n-30, n-15), [n-15, n-1): four queries of one page each.
  EXPECT_EQ(stats->api_calls, 4u);
  EXPECT_EQ(stats->events, 12u);
  EXPECT_TRUE(stats->caught_up);
  EXPECT_EQ(cp.end_ms, n - 60000);
  ASSERT_EQ(out.size(), 12u);
  for (size_t i = 1; i < out.size(); ++i) EXPECT_LT(out[i - 1].timestamp_ms, out[i].timestamp_ms);

  // A deadline that passes after the first window stops between windows.
  Checkpoint behind{.log_group = kGroup, .end_ms = n - 3600000};
  std::vector<OwnedRecord> partial;
  const auto deadline = clock_.MonotonicNow() + seconds(1);
  Result<PullStats> cut = source.Read(
      &behind, deadline,
      [&](const model::RawRecord& r) {
        partial.push_back(OwnedRecord::From(r));
        clock_.Advance(seconds(2));
      },
      counters);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_FALSE(cut->caught_up);
  EXPECT_EQ(cut->api_calls, 1u);
  EXPECT_EQ(behind.end_ms, n - 3600000 + 15 * 60000);
  EXPECT_EQ(partial.size(), 3u);  // w0, w1, w2 lie in [n-65 min, n-45 min).
}

TEST_F(CloudWatchLogsSourceTest, ClientErrorsAreReturned) {
  CloudWatchLogsSource source(PullOptions{}, *logs_, clock_);
  Checkpoint cp{.log_group = "no-such-group"};
  std::vector<OwnedRecord> out;
  pipeline::EventCounters counters;
  Result<PullStats> stats = Run(source, cp, out, counters);
  EXPECT_EQ(stats.status().code(), StatusCode::kNotFound) << stats.status().ToString();

  Checkpoint empty;
  EXPECT_EQ(Run(source, empty, out, counters).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gatescope::sources
