#include "openapi/openapi_exporter.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gatescope::openapi {
namespace {

using Json = nlohmann::json;
using model::HttpTransaction;

HttpTransaction Tx(std::string api, std::string stage, std::string method, std::string resource,
                   std::string path = {}) {
  HttpTransaction tx;
  tx.api_id = std::move(api);
  tx.stage = std::move(stage);
  tx.method = std::move(method);
  tx.resource_path = std::move(resource);
  tx.path = std::move(path);
  tx.api_kind = model::ApiKind::kRest;
  tx.region = "eu-west-1";
  tx.status = 200;
  tx.request_time_ms = 1698414057744;
  tx.response_latency_ms = 20;
  return tx;
}

TEST(RenderPathTest, GreedyAndConcretePaths) {
  EXPECT_EQ(RenderPath("/{proxy+}", false), "/{proxy}");
  EXPECT_EQ(RenderPath("/a/{b+}", false), "/a/{b}");
  EXPECT_EQ(RenderPath("/a+b/{c}", false), "/a+b/{c}");
  EXPECT_EQ(RenderPath("/x/{literal}", true), "/x/%7Bliteral%7D");
  EXPECT_EQ(RenderPath("relative", true), "/relative");
}

TEST(OpenApiExporterTest, DeclaresPathParametersServersAndFacts) {
  inventory::Inventory inv;
  inv.Add(Tx("a1b2c3d4e5", "prod", "GET", "/pets/{petId}"));
  inv.Add(Tx("a1b2c3d4e5", "dev", "GET", "/pets/{petId}"));
  inv.Add(Tx("a1b2c3d4e5", "dev", "ANY", "/{proxy+}"));
  inv.Add(Tx("f6g7h8i9j0", "v1", "POST", "/orders"));
  Json doc = Json::parse(ExportOpenApi(inv, {.generated_at_ms = 0}));
  EXPECT_EQ(doc["openapi"], "3.1.0");
  ASSERT_EQ(doc["servers"].size(), 3u);
  EXPECT_EQ(doc["servers"][0]["url"], "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/dev");
  const Json& get = doc["paths"]["/pets/{petId}"]["get"];
  EXPECT_EQ(get["parameters"][0]["name"], "petId");
  EXPECT_EQ(get["parameters"][0]["in"], "path");
  EXPECT_EQ(get["parameters"][0]["required"], true);
  EXPECT_EQ(get["x-gatescope-requests"], 2);
  EXPECT_EQ(get["x-gatescope-sources"].size(), 2u);
  EXPECT_EQ(get["responses"]["200"]["description"], "Observed 2 times.");
  EXPECT_EQ(get["x-gatescope-latency-ms"]["response"]["p50"], 20);
  // Served by two of the three stages: the path lists its own servers.
  EXPECT_EQ(doc["paths"]["/pets/{petId}"]["servers"].size(), 2u);
  const Json& proxy = doc["paths"]["/{proxy}"];
  EXPECT_TRUE(proxy.contains("x-gatescope-other-operations"));  // ANY is no OpenAPI method.
  EXPECT_EQ(proxy["x-gatescope-other-operations"]["ANY"]["parameters"][0]["x-gatescope-greedy"],
            true);
}

TEST(OpenApiExporterTest, OneDocumentPerApiWithSafeFileNames) {
  inventory::Inventory inv;
  inv.Add(Tx("a1b2c3d4e5", "prod", "GET", "/a"));
  HttpTransaction tx = Tx("", "", "GET", "/b");
  tx.log_group = "/aws/../weird group";
  inv.Add(tx);
  auto docs = ExportOpenApiPerApi(inv, {});
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[1].first, "a1b2c3d4e5.openapi.json");
  EXPECT_EQ(docs[0].first, "_aws_.._weird_group.openapi.json");
  Json doc = Json::parse(docs[1].second);
  EXPECT_TRUE(doc["paths"].contains("/a"));
  EXPECT_FALSE(doc["paths"].contains("/b"));
}

TEST(OpenApiExporterTest, WebSocketRoutesGoToTheRootExtension) {
  inventory::Inventory inv;
  HttpTransaction tx;
  tx.api_id = "z1ctxygne5";
  tx.stage = "production";
  tx.method = "WS";
  tx.route_key = "$connect";
  tx.api_kind = model::ApiKind::kWebSocket;
  inv.Add(tx);
  Json doc = Json::parse(ExportOpenApi(inv, {}));
  EXPECT_TRUE(doc["paths"].empty());
  EXPECT_FALSE(doc.contains("servers"));
  EXPECT_EQ(doc["x-gatescope-websocket-routes"][0]["route_key"], "$connect");
}

}  // namespace
}  // namespace gatescope::openapi
