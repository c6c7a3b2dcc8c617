// TrafficSeries: hourly and daily buckets by each request's own time, trimmed relative to the
// newest, merged in any order and grouping to the same series, and kept by the codec.

#include "inventory/traffic_series.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "inventory/inventory.h"
#include "inventory/inventory_codec.h"

namespace gatescope::inventory {
namespace {

constexpr int64_t kHour = TrafficSeries::kHourMs;
constexpr int64_t kDay = TrafficSeries::kDayMs;
constexpr int64_t kT0 = 1700000000000;  // 2023-11-14T22:13:20Z.

struct Request {
  int64_t time_ms;
  int32_t status;
  int64_t latency_ms;
};

TEST(TrafficSeriesTest, CountsRequestsErrorsAndLatencyPerHourAndDay) {
  TrafficSeries s;
  s.Add(kT0, 200, 10);
  s.Add(kT0 + 1000, 404, 30);
  s.Add(kT0 + kHour, 503, -1);  // No latency logged.
  s.Add(kT0 + 2 * kHour, -1, 5);  // No status logged.
  s.Add(-1, 200, 10);  // No time: not counted.
  ASSERT_EQ(s.hours().size(), 3u);
  const TrafficSeries::Bucket& first = s.hours()[0];
  EXPECT_EQ(first.index, kT0 / kHour);
  EXPECT_EQ(first.requests, 2u);
  EXPECT_EQ(first.client_errors, 1u);
  EXPECT_EQ(first.server_errors, 0u);
  EXPECT_EQ(first.latency_count, 2u);
  EXPECT_EQ(first.latency_sum_ms, 40u);
  EXPECT_EQ(first.latency_max_ms, 30u);
  EXPECT_EQ(s.hours()[1].server_errors, 1u);
  EXPECT_EQ(s.hours()[1].latency_count, 0u);
  EXPECT_EQ(s.hours()[2].requests, 1u);
  // kT0 is 22:13 UTC: the three hours span two days.
  ASSERT_EQ(s.days().size(), 2u);
  EXPECT_EQ(s.days()[0].requests + s.days()[1].requests, 4u);
}

TEST(TrafficSeriesTest, KeepsSevenDaysOfHoursAndNinetyOfDaysBeforeTheNewest) {
  TrafficSeries s;
  for (int64_t h = 0; h < 400; ++h) s.Add(kT0 + h * kHour, 200, 1);
  ASSERT_EQ(s.hours().size(), static_cast<size_t>(TrafficSeries::kHours));
  EXPECT_EQ(s.hours().back().index - s.hours().front().index, TrafficSeries::kHours - 1);
  EXPECT_EQ(s.hours().back().index, (kT0 + 399 * kHour) / kHour);
  // A request older than the window is not counted by the hours, but still by its day.
  uint64_t days_before = s.days().front().requests;
  s.Add(kT0, 200, 1);
  EXPECT_EQ(s.hours().size(), static_cast<size_t>(TrafficSeries::kHours));
  EXPECT_EQ(s.hours().front().index, (kT0 + 232 * kHour) / kHour);
  EXPECT_EQ(s.days().front().requests, days_before + 1);
  for (int64_t d = 0; d < 200; ++d) s.Add(kT0 + d * kDay, 200, 1);
  EXPECT_EQ(s.days().size(), static_cast<size_t>(TrafficSeries::kDays));
  EXPECT_EQ(s.days().back().index, (kT0 + 199 * kDay) / kDay);
}

TEST(TrafficSeriesTest, TimesBeforeTheEpochLandInTheirOwnBucket) {
  TrafficSeries s;
  s.Add(0, 200, 1);  // Never negative in practice, but floor division must hold at 0.
  EXPECT_EQ(s.hours().front().index, 0);
}

// Requests spread over 200 days, out of order: adding them all to one series, or splitting
// them into random batches merged in random orders and groupings, gives the same buckets.
TEST(TrafficSeriesTest, MergingInAnyOrderAndGroupingGivesTheSameSeries) {
  std::mt19937_64 rng(11);
  std::vector<Request> requests;
  for (int i = 0; i < 5000; ++i) {
    int64_t t = kT0 + static_cast<int64_t>(rng() % (200 * kDay));
    int32_t status = std::vector<int32_t>{200, 201, 404, 500, -1}[rng() % 5];
    int64_t latency = static_cast<int64_t>(rng() % 900) - 1;
    requests.push_back({t, status, latency});
  }
  TrafficSeries whole;
  for (const Request& r : requests) whole.Add(r.time_ms, r.status, r.latency_ms);

  for (int trial = 0; trial < 20; ++trial) {
    std::shuffle(requests.begin(), requests.end(), rng);
    std::vector<TrafficSeries> parts(1 + rng() % 12);
    for (const Request& r : requests) parts[rng() % parts.size()].Add(r.time_ms, r.status, r.latency_ms);
    // Merge pairwise in random groupings until one is left.
    while (parts.size() > 1) {
      size_t a = rng() % parts.size();
      size_t b = rng() % (parts.size() - 1);
      if (b >= a) ++b;
      parts[a].Merge(parts[b]);
      parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(b));
    }
    EXPECT_EQ(parts[0].hours(), whole.hours()) << "trial " << trial;
    EXPECT_EQ(parts[0].days(), whole.days()) << "trial " << trial;
  }
}

TEST(TrafficSeriesTest, AssignRefusesUnsortedOrOversizedWindows) {
  TrafficSeries s;
  TrafficSeries::Bucket a{.index = 10, .requests = 1};
  TrafficSeries::Bucket b{.index = 12, .requests = 2};
  EXPECT_TRUE(s.Assign({a, b}, {}));
  EXPECT_FALSE(s.Assign({b, a}, {}));
  EXPECT_FALSE(s.Assign({a, a}, {}));
  TrafficSeries::Bucket far{.index = 10 + TrafficSeries::kHours, .requests = 1};
  EXPECT_FALSE(s.Assign({a, far}, {}));
  EXPECT_EQ(s.hours().size(), 2u);  // Unchanged by the refusals.
}

model::HttpTransaction Tx(int n, int64_t time_ms, int status) {
  model::HttpTransaction tx;
  tx.id = std::to_string(n);
  tx.api_id = "a1b2c3d4e5";
  tx.stage = "prod";
  tx.method = "GET";
  tx.resource_path = "/pets/{petId}";
  tx.path = "/pets/" + std::to_string(n);
  tx.status = status;
  tx.request_time_ms = time_ms;
  tx.response_latency_ms = 20 + n % 50;
  return tx;
}

TEST(TrafficSeriesTest, TheCodecKeepsTheSeriesAndMergesIt) {
  Inventory a, b, both;
  for (int i = 0; i < 300; ++i) {
    model::HttpTransaction tx = Tx(i, kT0 + i * 17 * 60 * 1000, i % 10 == 0 ? 500 : 200);
    (i % 2 == 0 ? a : b).Add(tx);
    both.Add(tx);
  }
  Inventory decoded;
  ASSERT_TRUE(MergeEncodedInventory(EncodeInventory(a), &decoded).ok());
  ASSERT_TRUE(MergeEncodedInventory(EncodeInventory(b), &decoded).ok());
  auto series = [](const Inventory& inv) { return inv.Render().endpoints.at(0).stats.traffic; };
  EXPECT_EQ(series(decoded).hours(), series(both).hours());
  EXPECT_EQ(series(decoded).days(), series(both).days());
  EXPECT_EQ(series(both).hours().size(), 85u);  // 300 requests 17 minutes apart.
}

}  // namespace
}  // namespace gatescope::inventory
