#include "inventory/inventory.h"

#include <gtest/gtest.h>

#include "inventory/latency_histogram.h"

namespace gatescope::inventory {
namespace {

using model::ApiKind;
using model::HttpTransaction;
using model::TemplateSource;

HttpTransaction Tx(std::string method, std::string path, std::string resource = {},
                   std::string route = {}) {
  HttpTransaction tx;
  tx.api_id = "a1b2c3d4e5";
  tx.stage = "prod";
  tx.method = std::move(method);
  tx.path = std::move(path);
  tx.resource_path = std::move(resource);
  tx.route_key = std::move(route);
  tx.api_kind = tx.route_key.empty() ? ApiKind::kRest : ApiKind::kHttp;
  tx.status = 200;
  return tx;
}

TEST(LatencyHistogramTest, PercentilesWithinThreePercent) {
  LatencyHistogram h;
  for (int v = 1; v <= 10000; ++v) h.Add(v);
  EXPECT_EQ(h.count(), 10000u);
  EXPECT_EQ(h.max(), 10000);
  EXPECT_NEAR(h.Percentile(0.5), 5000, 5000 * 0.032);
  EXPECT_NEAR(h.Percentile(0.95), 9500, 9500 * 0.032);
  EXPECT_EQ(h.Percentile(0.0), 1);
  h.Add(-1);  // Unknown latencies are not values.
  EXPECT_EQ(h.count(), 10000u);
}

TEST(LatencyHistogramTest, ExactForSmallAndSingleValues) {
  LatencyHistogram h;
  EXPECT_EQ(h.Percentile(0.5), -1);
  h.Add(29010);
  EXPECT_EQ(h.Percentile(0.5), 29010);
  LatencyHistogram small;
  for (int v : {3, 5, 7}) small.Add(v);
  EXPECT_EQ(small.Percentile(0.5), 5);
  small.Merge(h);
  EXPECT_EQ(small.count(), 4u);
  EXPECT_EQ(small.max(), 29010);
}

TEST(TemplateForTest, PrefersLoggedTemplatesAndKeepsConcreteUnderGreedyRoutes) {
  EXPECT_EQ(TemplateFor(Tx("GET", "/pets/1", "/pets/{petId}")).path, "/pets/{petId}");
  EXPECT_EQ(TemplateFor(Tx("GET", "/pets/1", "", "GET /pets/{id}")).path, "/pets/{id}");
  EndpointTemplate greedy = TemplateFor(Tx("POST", "/legacy/x", "/{proxy+}"));
  EXPECT_EQ(greedy.path, "/legacy/x");
  EXPECT_EQ(greedy.source, TemplateSource::kConcrete);
  EXPECT_EQ(greedy.route, "/{proxy+}");
  EXPECT_EQ(TemplateFor(Tx("GET", "", "/{proxy+}")).path, "/{proxy+}");
  EXPECT_EQ(TemplateFor(Tx("GET", "/x", "", "$default")).source, TemplateSource::kConcrete);
}

TEST(InventoryTest, CountsStatusesTimesAndLatencyPerEndpoint) {
  Inventory inv;
  for (int i = 0; i < 10; ++i) {
    HttpTransaction tx = Tx("GET", "/pets/" + std::to_string(i), "/pets/{petId}");
    tx.status = i < 8 ? 200 : 404;
    tx.request_time_ms = 1000 + i;
    tx.response_latency_ms = 10 * (i + 1);
    inv.Add(tx);
  }
  inv.Add(Tx("POST", "/pets", "/pets"));
  auto endpoints = inv.Render().endpoints;
  ASSERT_EQ(endpoints.size(), 2u);
  const EndpointStats& get = endpoints[1].stats;
  EXPECT_EQ(endpoints[1].key.path, "/pets/{petId}");
  EXPECT_EQ(get.requests, 10u);
  EXPECT_EQ(get.first_seen_ms, 1000);
  EXPECT_EQ(get.last_seen_ms, 1009);
  EXPECT_EQ(get.response_latency.max(), 100);
  EXPECT_EQ(get.status_counts.size(), 2u);
  const ApiStageInfo& stage = inv.api_stages().at({"a1b2c3d4e5", "prod"});
  EXPECT_EQ(stage.requests, 11u);
  EXPECT_EQ(stage.kind, ApiKind::kRest);
}

TEST(InventoryTest, FallsBackToLogGroupThenUnknownForApiIdentity) {
  Inventory inv(DiscoveryOptions{.min_requests = 1});
  HttpTransaction tx = Tx("GET", "/a");
  tx.api_id.clear();
  tx.log_group = "/my/access/logs";
  inv.Add(tx);
  tx.log_group.clear();
  inv.Add(tx);
  auto endpoints = inv.Render().endpoints;
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_EQ(endpoints[0].key.api_id, "/my/access/logs");
  EXPECT_EQ(endpoints[1].key.api_id, "unknown");
}

}  // namespace
}  // namespace gatescope::inventory
