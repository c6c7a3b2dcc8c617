// GET /v1/overview (OverviewIndex) over an inventory built from transactions: grouping,
// traffic windows, new, auth coverage, sensitive data and zombies, each count equal to the
// total of the /v1/endpoints filter that its dashboard card links to.

#include "server/overview.h"

#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "inventory/inventory.h"
#include "server/endpoint_query.h"

namespace gatescope::server {
namespace {

using Json = nlohmann::ordered_json;
using inventory::Inventory;

constexpr int64_t kHour = 3600LL * 1000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kAsOf = 1700000000000;  // 2023-11-14T22:13:20Z.

struct Shape {
  std::string api, account, region, stage, method, resource, path;
};

model::HttpTransaction Tx(const Shape& s, int64_t time_ms, int status) {
  static int n = 0;
  model::HttpTransaction tx;
  tx.id = std::to_string(++n);
  tx.api_id = s.api;
  tx.account_id = s.account;
  tx.region = s.region;
  tx.stage = s.stage;
  tx.method = s.method;
  tx.resource_path = s.resource;
  tx.path = s.path;
  tx.status = status;
  tx.request_time_ms = time_ms;
  tx.response_latency_ms = 40;
  return tx;
}

// Execution-log content: headers logged whole.
model::HttpTransaction WithHeaders(model::HttpTransaction tx) {
  tx.source = model::LogSource::kExecutionLog;
  tx.request_headers.logged = true;
  tx.request_headers.Add("Accept", "application/json");
  return tx;
}

class OverviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Shape users{"a1", "111111111111", "eu-west-1", "prod", "GET", "/users/{id}", "/users/7"};
    const Shape signup{"a1", "111111111111", "eu-west-1", "prod", "POST", "/signup", "/signup"};
    const Shape old{"a1", "111111111111", "eu-west-1", "prod", "GET", "/old", "/old"};
    const Shape health{"b2", "222222222222", "us-east-1", "v1", "GET", "/health", "/health"};
    Inventory inv;
    auto add = [&](model::HttpTransaction tx) {
      if (tx.request_time_ms > kAsOf - 7 * kDay) in_week_ += 1;
      inv.Add(tx);
    };
    // Authenticated; first seen 3 days ago, last an hour ago.
    for (int i = 0; i < 30; ++i) {
      model::HttpTransaction tx = WithHeaders(Tx(users, kAsOf - 3 * kDay + i * 2 * kHour, 200));
      tx.request_headers.Add("Authorization", "Bearer abc.def.ghi");
      add(tx);
    }
    // No credential, an email in the query; new in the last day.
    for (int i = 0; i < 5; ++i) {
      model::HttpTransaction tx = WithHeaders(Tx(signup, kAsOf - 2 * kHour + i, i == 0 ? 400 : 201));
      tx.query = "email=jane.doe%40example.com";
      add(tx);
    }
    // Access logs only, 40 days ago: unknown auth, unseen for 30 days.
    for (int i = 0; i < 8; ++i) add(Tx(old, kAsOf - 40 * kDay + i, 200));
    // Another account and region, 10 days ago, failing: unseen for 7 days only.
    for (int i = 0; i < 12; ++i) add(Tx(health, kAsOf - 10 * kDay + i, 503));
    snapshot_ = std::make_shared<const Inventory::Snapshot>(inv.Render());
    overview_ = OverviewIndex(snapshot_).Render(kAsOf);
  }

  uint64_t ListTotal(std::multimap<std::string, std::string> params) {
    Result<EndpointFilter> filter = ParseEndpointFilter(params);
    EXPECT_TRUE(filter.ok()) << filter.status().message();
    return ListEndpoints(*snapshot_, *filter)["total"].get<uint64_t>();
  }

  std::shared_ptr<const Inventory::Snapshot> snapshot_;
  Json overview_;
  uint64_t in_week_ = 0;
};

TEST_F(OverviewTest, TotalsAndGroupsByAccountRegionApiAndStage) {
  EXPECT_EQ(overview_["as_of"], FormatIso8601(kAsOf));
  EXPECT_EQ(overview_["latest_traffic"], FormatIso8601(kAsOf - 2 * kHour + 4));  // The last signup.
  const Json& totals = overview_["totals"];
  EXPECT_EQ(totals["apis"], 2);
  EXPECT_EQ(totals["stages"], 2);
  EXPECT_EQ(totals["endpoints"], 4);
  EXPECT_EQ(totals["endpoints"].get<uint64_t>(), ListTotal({}));
  EXPECT_EQ(totals["requests"], 30 + 5 + 8 + 12);
  EXPECT_EQ(totals["client_errors"], 1);
  EXPECT_EQ(totals["server_errors"], 12);

  const Json& groups = overview_["groups"];
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0]["account_id"], "111111111111");
  EXPECT_EQ(groups[0]["region"], "eu-west-1");
  ASSERT_EQ(groups[0]["apis"].size(), 1u);
  const Json& a1 = groups[0]["apis"][0];
  EXPECT_EQ(a1["api_id"], "a1");
  EXPECT_EQ(a1["endpoints"], 3);
  EXPECT_EQ(a1["requests"], 43);
  ASSERT_EQ(a1["stages"].size(), 1u);
  EXPECT_EQ(a1["stages"][0]["stage"], "prod");
  EXPECT_EQ(a1["stages"][0]["client_errors"], 1);
  EXPECT_EQ(a1["stages"][0]["unseen_endpoints"], 1);
  EXPECT_EQ(groups[1]["account_id"], "222222222222");
  EXPECT_EQ(groups[1]["apis"][0]["stages"][0]["server_errors"], 12);
  EXPECT_EQ(ListTotal({{"account", "111111111111"}}), 3u);
  EXPECT_EQ(ListTotal({{"region", "us-east-1"}}), 1u);
}

TEST_F(OverviewTest, TrafficWindowsEndAtAsOfAndSumEveryEndpoint) {
  const Json& hourly = overview_["traffic"]["hourly"];
  ASSERT_EQ(hourly["requests"].size(), 168u);
  EXPECT_EQ(hourly["step_ms"], kHour);
  EXPECT_EQ(hourly["start"], FormatIso8601((kAsOf / kHour - 167) * kHour));
  uint64_t sum = 0;
  for (const Json& n : hourly["requests"]) sum += n.get<uint64_t>();
  EXPECT_EQ(sum, in_week_);
  const Json& daily = overview_["traffic"]["daily"];
  ASSERT_EQ(daily["requests"].size(), 90u);
  uint64_t days = 0, server = 0;
  for (const Json& n : daily["requests"]) days += n.get<uint64_t>();
  for (const Json& n : daily["server_errors"]) server += n.get<uint64_t>();
  EXPECT_EQ(days, 55u);
  EXPECT_EQ(server, 12u);
  // The hour of as_of is the last slot: the signups two hours before are in slot 165.
  EXPECT_EQ(hourly["requests"][165], 5);
}

TEST_F(OverviewTest, NewEndpointsCountFromAsOfAndMatchTheNewSinceFilter) {
  const Json& fresh = overview_["new_endpoints"];
  EXPECT_EQ(fresh["last_day"], 1);
  EXPECT_EQ(fresh["last_week"], 2);
  ASSERT_EQ(fresh["recent"].size(), 2u);
  EXPECT_EQ(fresh["recent"][0]["path"], "/signup");  // Newest first.
  EXPECT_EQ(fresh["recent"][1]["path"], "/users/{id}");
  EXPECT_EQ(ListTotal({{"new_since", std::to_string(kAsOf - kDay)}}), 1u);
  EXPECT_EQ(ListTotal({{"new_since", std::to_string(kAsOf - 7 * kDay)}}), 2u);
  // A later as_of: nothing is new any more.
  Json later = OverviewIndex(snapshot_).Render(kAsOf + 30 * kDay);
  EXPECT_EQ(later["new_endpoints"]["last_week"], 0);
}

TEST_F(OverviewTest, AuthCoverageSortsEveryEndpointOnceAndMatchesTheAuthFilter) {
  const Json& auth = overview_["auth"];
  EXPECT_EQ(auth["authenticated"], 1);
  EXPECT_EQ(auth["unauthenticated"], 1);
  EXPECT_EQ(auth["unknown"], 2);
  EXPECT_EQ(auth["by_scheme"]["bearer"], 1);
  EXPECT_EQ(auth["by_scheme"]["none"], 1);
  EXPECT_EQ(auth["by_scheme"]["sigv4"], 0);
  for (const char* coverage : {"authenticated", "unauthenticated", "unknown"}) {
    EXPECT_EQ(ListTotal({{"auth", coverage}}), auth[coverage].get<uint64_t>()) << coverage;
  }
}

TEST_F(OverviewTest, SensitiveEndpointsMatchTheSensitiveFilter) {
  const Json& sensitive = overview_["sensitive"];
  // The signup's email, and the users' Authorization header (a credential).
  EXPECT_EQ(sensitive["endpoints"], 2) << sensitive.dump();
  EXPECT_EQ(sensitive["by_tag"]["email"], 1);
  ASSERT_EQ(sensitive["top"].size(), 2u);
  EXPECT_EQ(sensitive["top"][0]["path"], "/users/{id}");  // Most requested first.
  EXPECT_EQ(sensitive["top"][1]["path"], "/signup");
  EXPECT_EQ(ListTotal({{"sensitive", "true"}}), 2u);
  EXPECT_EQ(ListTotal({{"tag", "email"}}), 1u);
}

TEST_F(OverviewTest, ZombiesAreEndpointsUnseenSinceAsOfMinusSevenAndThirtyDays) {
  const Json& zombies = overview_["zombies"];
  EXPECT_EQ(zombies["unseen_7d"], 2);
  EXPECT_EQ(zombies["unseen_30d"], 1);
  ASSERT_EQ(zombies["top"].size(), 2u);
  EXPECT_EQ(zombies["top"][0]["path"], "/health");  // 12 requests before 8.
  EXPECT_EQ(zombies["top"][1]["path"], "/old");
  EXPECT_EQ(ListTotal({{"unseen_since", std::to_string(kAsOf - 7 * kDay)}}), 2u);
  EXPECT_EQ(ListTotal({{"unseen_since", std::to_string(kAsOf - 30 * kDay)}}), 1u);
}

TEST_F(OverviewTest, AnEmptyInventoryHasAnEmptyOverview) {
  Json empty = OverviewIndex(std::make_shared<const Inventory::Snapshot>()).Render(kAsOf);
  EXPECT_EQ(empty["totals"]["endpoints"], 0);
  EXPECT_TRUE(empty["latest_traffic"].is_null());
  EXPECT_TRUE(empty["groups"].empty());
  EXPECT_EQ(empty["traffic"]["hourly"]["requests"].size(), 168u);
}

TEST(EndpointTrafficTest, TheDetailCarriesTheEndpointsOwnWindows) {
  Inventory inv;
  const Shape s{"a1", "", "", "prod", "GET", "/pets", "/pets"};
  for (int i = 0; i < 10; ++i) inv.Add(Tx(s, kAsOf - 100 * kDay + i * kHour, i < 2 ? 500 : 200));
  Inventory::Snapshot snap = inv.Render();
  ASSERT_EQ(snap.endpoints.size(), 1u);
  std::optional<Json> detail = EndpointDetail(snap, EndpointId(snap.endpoints[0].key));
  ASSERT_TRUE(detail.has_value());
  const Json& hourly = (*detail)["traffic"]["hourly"];
  // Ends with the endpoint's newest hour, however old: a zombie still shows what it did.
  EXPECT_EQ(hourly["requests"].back(), 1);
  EXPECT_EQ(hourly["requests"][167 - 9], 1);
  EXPECT_EQ(hourly["server_errors"][167 - 9], 1);
  EXPECT_EQ(hourly["latency_mean_ms"].back(), 40.0);
  EXPECT_TRUE(hourly["latency_mean_ms"][0].is_null());
  EXPECT_EQ((*detail)["auth_coverage"], "unknown");
}

}  // namespace
}  // namespace gatescope::server
