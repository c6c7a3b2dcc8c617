#include "model/transaction_har.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/transform/fixture_transactions.h"
#include "transform/transaction_transformer.h"

namespace gatescope::model {
namespace {

using Json = nlohmann::json;

Json Parse(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << text.substr(0, 200);
  return j;
}

// The fields HAR 1.2 requires (http://www.softwareishard.com/blog/har-12-spec/), with types.
void ExpectValidEntry(const Json& e) {
  ASSERT_TRUE(e.is_object());
  EXPECT_TRUE(e["startedDateTime"].is_string());
  EXPECT_EQ(e["startedDateTime"].get<std::string>().size(), 24u);  // 2023-10-27T13:40:57.744Z
  EXPECT_TRUE(e["time"].is_number());
  EXPECT_TRUE(e["cache"].is_object());
  const Json& req = e["request"];
  for (const char* k : {"method", "url", "httpVersion"}) EXPECT_TRUE(req[k].is_string()) << k;
  for (const char* k : {"cookies", "headers", "queryString"}) EXPECT_TRUE(req[k].is_array()) << k;
  EXPECT_EQ(req["headersSize"], -1);
  EXPECT_TRUE(req["bodySize"].is_number_integer());
  EXPECT_EQ(req["url"].get<std::string>().rfind("https://", 0), 0u);
  if (req.contains("postData")) {
    EXPECT_TRUE(req["postData"]["mimeType"].is_string());
    EXPECT_TRUE(req["postData"]["text"].is_string());
  }
  for (const Json& h : req["headers"]) {
    EXPECT_TRUE(h["name"].is_string());
    EXPECT_TRUE(h["value"].is_string());
  }
  const Json& resp = e["response"];
  EXPECT_TRUE(resp["status"].is_number_integer());
  EXPECT_EQ(resp["statusText"], "");
  EXPECT_TRUE(resp["httpVersion"].is_string());
  EXPECT_TRUE(resp["cookies"].is_array());
  EXPECT_TRUE(resp["headers"].is_array());
  EXPECT_TRUE(resp["content"]["size"].is_number_integer());
  EXPECT_TRUE(resp["content"]["mimeType"].is_string());
  EXPECT_EQ(resp["redirectURL"], "");
  EXPECT_EQ(resp["headersSize"], -1);
  EXPECT_TRUE(resp["bodySize"].is_number_integer());
  const Json& timings = e["timings"];
  EXPECT_EQ(timings["send"], 0);
  EXPECT_EQ(timings["receive"], 0);
  EXPECT_EQ(timings["wait"], e["time"]);
  const Json& g = e["_gatescope"];
  for (const char* k : {"id", "api_id", "stage", "resource_path", "coverage"}) {
    EXPECT_TRUE(g[k].is_string()) << k;
  }
  EXPECT_TRUE(g["partial"].is_boolean());
}

TEST(TransactionHarTest, FixtureTransactionsGiveAValidHar) {
  auto t = transform::TransactionTransformer::Create({});
  ASSERT_TRUE(t.ok());
  std::vector<HttpTransaction> txs;
  for (HttpTransaction tx : testing::FixtureTransactions()) {
    if (!(*t)->Apply(&tx).has_value()) txs.push_back(std::move(tx));
  }
  ASSERT_GT(txs.size(), 50u);
  for (const HttpTransaction& tx : testing::HandBuiltTransactions()) txs.push_back(tx);
  Json har = Parse(TransactionsToHar(txs, "1.2.3"));
  EXPECT_EQ(har["log"]["version"], "1.2");
  EXPECT_EQ(har["log"]["creator"]["name"], "gatescope");
  EXPECT_EQ(har["log"]["creator"]["version"], "1.2.3");
  ASSERT_EQ(har["log"]["entries"].size(), txs.size());
  for (const Json& e : har["log"]["entries"]) ExpectValidEntry(e);
}

TEST(TransactionHarTest, EmptyListIsAValidDocument) {
  Json har = Parse(TransactionsToHar({}, "0"));
  EXPECT_TRUE(har["log"]["entries"].is_array());
  EXPECT_TRUE(har["log"]["entries"].empty());
}

TEST(TransactionHarTest, WritesRequestAndResponseDetails) {
  HttpTransaction tx;
  tx.id = "0123456789abcdef0123456789abcdef";
  tx.api_id = "abc123";
  tx.region = "eu-west-1";
  tx.stage = "prod";
  tx.resource_path = "/pets/{id}";
  tx.method = "POST";
  tx.path = "/pets/7";
  tx.query = "a=1&b=x+y%21&flag";
  tx.protocol = "HTTP/2.0";
  tx.request_time_ms = 1700000000123;
  tx.response_latency_ms = 42;
  tx.status = 201;
  tx.request_headers.Add("Authorization", "Bearer secret");
  tx.request_headers.Add("Accept", "*/*");
  tx.request_body.present = true;
  tx.request_body.text = R"({"name":"rex"})";
  tx.request_body.content_type = "application/json";
  tx.response_body.present = true;
  tx.response_body.truncated = true;
  tx.response_body.indicator = true;
  tx.response_body.text = R"({"gatescope_body_truncated":true})";
  tx.response_body.content_type = "application/json";
  tx.partial = true;
  tx.partial_reason = PartialReason::kIdle;
  tx.coverage = Coverage::kDiscoveryOnly;

  std::string text = TransactionsToHar({tx}, "dev");
  EXPECT_EQ(text.find("Bearer secret"), std::string::npos);
  Json e = Parse(text)["log"]["entries"][0];
  ExpectValidEntry(e);
  EXPECT_EQ(e["startedDateTime"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(e["time"], 42);
  EXPECT_EQ(e["request"]["url"],
            "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/pets/7?a=1&b=x+y%21&flag");
  EXPECT_EQ(e["request"]["httpVersion"], "HTTP/2.0");
  EXPECT_EQ(e["request"]["headers"][0]["value"], "[REDACTED]");
  EXPECT_EQ(e["request"]["queryString"],
            Json::parse(R"([{"name":"a","value":"1"},{"name":"b","value":"x y!"},)"
                        R"({"name":"flag","value":""}])"));
  EXPECT_EQ(e["request"]["postData"]["text"], R"({"name":"rex"})");
  EXPECT_EQ(e["request"]["bodySize"], 14);
  EXPECT_EQ(e["response"]["status"], 201);
  EXPECT_EQ(e["response"]["bodySize"], -1);
  EXPECT_EQ(e["response"]["content"]["mimeType"], "application/json");
  EXPECT_EQ(e["_gatescope"]["coverage"], "discovery_only");
  EXPECT_EQ(e["_gatescope"]["partial"], true);
  EXPECT_EQ(e["_gatescope"]["partial_reason"], "idle");
  EXPECT_EQ(e["_gatescope"]["response_body_indicator"], true);
  EXPECT_EQ(e["_gatescope"]["id"], tx.id);

  // A custom domain: no stage prefix; the parameter map wins over the raw query.
  tx.domain_name = "api.example.com";
  tx.query_params.Add("a", "1");
  e = Parse(TransactionsToHar({tx}, "dev"))["log"]["entries"][0];
  EXPECT_EQ(e["request"]["url"], "https://api.example.com/pets/7?a=1&b=x+y%21&flag");
  EXPECT_EQ(e["request"]["queryString"].size(), 1u);
}

}  // namespace
}  // namespace gatescope::model
