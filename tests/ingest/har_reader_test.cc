#include "ingest/har_reader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "model/transaction_har.h"
#include "model/transaction_json.h"
#include "tests/support/test_util.h"
#include "tests/transform/fixture_transactions.h"
#include "transform/transaction_transformer.h"

namespace gatescope::ingest {
namespace {

using model::HttpTransaction;

std::string Ingest(std::string_view name) {
  return testing::ReadFile(std::string(GS_INGEST_FIXTURES) + "/" + std::string(name));
}

// A string as the HAR writer can carry it: invalid UTF-8 replaced by U+FFFD.
std::string Sanitized(const std::string& s) {
  std::string out;
  model::AppendJsonString(s, &out);
  return out;
}

std::string ExpectedPath(const std::string& path) {
  return path.empty() || path[0] != '/' ? "/" + path : path;
}

void ExpectSameFields(const model::FieldList& original, const model::FieldList& back,
                      const std::string& what) {
  ASSERT_EQ(back.size(), original.size()) << what;
  for (size_t i = 0; i < original.size(); ++i) {
    const model::Field& f = original[i];
    bool redact = model::IsCredentialHeader(f.name) || model::ContainsJwt(f.value);
    EXPECT_EQ(Sanitized(back[i].name), Sanitized(f.name)) << what;
    EXPECT_EQ(Sanitized(back[i].value), redact ? Sanitized("[REDACTED]") : Sanitized(f.value))
        << what << " " << f.name;
  }
}

void ExpectSameBody(const model::Body& original, const model::Body& back, const std::string& what) {
  ASSERT_EQ(back.present, original.present) << what;
  if (!original.present) return;
  EXPECT_EQ(Sanitized(back.text), Sanitized(original.text)) << what;
  EXPECT_EQ(back.content_type, original.content_type) << what;
  EXPECT_EQ(back.indicator, original.indicator) << what;
}

TEST(HarReaderTest, RoundTripsTransactionsThroughTheHarWriter) {
  auto transformer = transform::TransactionTransformer::Create({});
  ASSERT_TRUE(transformer.ok());
  std::vector<HttpTransaction> txs;
  for (HttpTransaction tx : testing::FixtureTransactions()) {
    if (!(*transformer)->Apply(&tx).has_value()) txs.push_back(std::move(tx));
  }
  for (HttpTransaction tx : testing::HandBuiltTransactions()) {
    if (tx.id.empty()) tx.id = "00000000000000000000000000000001";
    txs.push_back(std::move(tx));
  }
  ASSERT_GT(txs.size(), 50u);
  Result<HarReadResult> read = ReadHar(model::TransactionsToHar(txs, "test"));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->rejected_count, 0u);
  ASSERT_EQ(read->transactions.size(), txs.size());
  for (size_t i = 0; i < txs.size(); ++i) {
    const HttpTransaction& o = txs[i];
    const HttpTransaction& b = read->transactions[i];
    std::string what = "transaction " + std::to_string(i) + " " + o.method + " " + o.path;
    EXPECT_EQ(b.id, o.id) << what;
    EXPECT_EQ(b.method, o.method.empty() ? "GET" : o.method) << what;
    EXPECT_EQ(Sanitized(b.path), Sanitized(ExpectedPath(o.path))) << what;
    EXPECT_EQ(Sanitized(b.query), Sanitized(o.query)) << what;
    if (!o.api_id.empty()) {
      EXPECT_EQ(b.api_id, o.api_id) << what;
    }
    EXPECT_EQ(b.stage, o.stage) << what;
    EXPECT_EQ(b.resource_path, o.resource_path) << what;
    EXPECT_EQ(b.route_key, o.route_key) << what;
    // HAR's status 0 means "no response": a logged 0 and an unknown status read back alike.
    EXPECT_EQ(b.status, o.status > 0 ? o.status : -1) << what;
    if (o.response_latency_ms >= 0) {
      EXPECT_EQ(b.response_latency_ms, o.response_latency_ms);
    }
    if (o.request_time_ms > 0) {
      EXPECT_EQ(b.request_time_ms, o.request_time_ms) << what;
    }
    EXPECT_EQ(b.coverage, o.coverage) << what;
    EXPECT_EQ(b.partial, o.partial) << what;
    if (o.partial) {
      EXPECT_EQ(b.partial_reason, o.partial_reason) << what;
    }
    EXPECT_EQ(b.event_count, 1u);
    EXPECT_EQ(b.source, model::LogSource::kAccessLog);
    ExpectSameFields(o.request_headers, b.request_headers, what + " request headers");
    ExpectSameFields(o.response_headers, b.response_headers, what + " response headers");
    ExpectSameBody(o.request_body, b.request_body, what + " request body");
    ExpectSameBody(o.response_body, b.response_body, what + " response body");
  }
}

TEST(HarReaderTest, ReadsABrowserExport) {
  Result<HarReadResult> read = ReadHar(Ingest("chrome-export.har"));
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(read->transactions.size(), 3u);
  EXPECT_EQ(read->rejected_count, 1u);
  ASSERT_EQ(read->rejected.size(), 1u);
  EXPECT_EQ(read->rejected[0].entry, 3u);
  EXPECT_EQ(read->rejected[0].reason, "missing request.url");

  // A custom domain: the host is the API's identity.
  const HttpTransaction& get = read->transactions[0];
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.domain_name, "api.shop.example.com");
  EXPECT_EQ(get.api_id, "api.shop.example.com");
  EXPECT_EQ(get.stage, "");
  EXPECT_EQ(get.region, "");
  EXPECT_EQ(get.path, "/v1/products/8421/reviews");
  EXPECT_EQ(get.query, "page=2&sort=recent");
  ASSERT_EQ(get.query_params.size(), 2u);
  EXPECT_EQ(get.query_params[1].name, "sort");
  EXPECT_EQ(get.resource_path, "");  // Concrete: the inventory infers the template.
  // Pseudo-headers are left out; the cookie list becomes a Cookie header.
  ASSERT_EQ(get.request_headers.size(), 4u);
  EXPECT_EQ(get.request_headers[0].name, "accept");
  ASSERT_NE(get.request_headers.Find("Cookie"), nullptr);
  EXPECT_EQ(get.request_headers.Find("Cookie")->value, "session=s%3Aabc123");
  EXPECT_EQ(get.user_agent.rfind("Mozilla/5.0", 0), 0u);
  EXPECT_EQ(get.protocol, "http/2.0");
  EXPECT_EQ(get.status, 200);
  EXPECT_FALSE(get.request_body.present);
  ASSERT_TRUE(get.response_body.present);
  EXPECT_EQ(get.response_body.content_type, "application/json");
  EXPECT_EQ(get.response_body.text.rfind("{\"items\":[", 0), 0u);
  EXPECT_EQ(get.response_length, 104);
  EXPECT_EQ(get.coverage, model::Coverage::kFull);
  size_t consumed = 0;
  EXPECT_EQ(get.request_time_ms, *ParseIso8601Prefix("2024-03-05T09:15:30.450Z", &consumed));
  EXPECT_EQ(get.response_latency_ms, 84);
  EXPECT_EQ(get.event_count, 1u);
  EXPECT_EQ(get.source, model::LogSource::kAccessLog);
  EXPECT_EQ(get.id.size(), 32u);
  EXPECT_EQ(get.id.find_first_not_of("0123456789abcdef"), std::string::npos);

  // An execute-api host: API id, region, and the stage as the first path segment.
  const HttpTransaction& post = read->transactions[1];
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.api_id, "k7x2mq9p4z");
  EXPECT_EQ(post.region, "eu-west-1");
  EXPECT_EQ(post.stage, "prod");
  EXPECT_EQ(post.path, "/cart/items");
  EXPECT_EQ(post.domain_name, "k7x2mq9p4z.execute-api.eu-west-1.amazonaws.com");
  ASSERT_TRUE(post.request_body.present);
  EXPECT_EQ(post.request_body.text, R"({"product_id":8421,"quantity":2})");
  EXPECT_EQ(post.request_body.content_type, "application/json");
  EXPECT_EQ(post.response_body.text, R"({"cart_id":"c-551","items":1,"total":59.98})");
  EXPECT_EQ(post.status, 201);
  EXPECT_EQ(post.response_latency_ms, 132);  // 131.5 rounded.
  EXPECT_EQ(post.coverage, model::Coverage::kFull);
  // The Set-Cookie header was there: the cookie list adds nothing.
  EXPECT_EQ(post.response_headers.size(), 2u);

  // A response whose content was not saved: not full coverage.
  const HttpTransaction& script = read->transactions[2];
  EXPECT_FALSE(script.response_body.present);
  EXPECT_EQ(script.coverage, model::Coverage::kDiscoveryOnly);
  EXPECT_NE(script.id, get.id);
}

TEST(HarReaderTest, SameDocumentGivesSameIds) {
  std::string har = Ingest("chrome-export.har");
  Result<HarReadResult> a = ReadHar(har);
  Result<HarReadResult> b = ReadHar(har);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->transactions.size(), b->transactions.size());
  for (size_t i = 0; i < a->transactions.size(); ++i) {
    EXPECT_EQ(a->transactions[i].id, b->transactions[i].id);
  }
  // Reformatting the document (whitespace, member order) keeps the ids: they hash the entry's
  // canonical text.
  nlohmann::json j = nlohmann::json::parse(har);
  Result<HarReadResult> c = ReadHar(j.dump(2));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->transactions[0].id, a->transactions[0].id);
}

TEST(HarReaderTest, ExecuteApiStageAloneGivesTheRootPath) {
  Result<HarReadResult> read = ReadHar(R"({"log":{"entries":[
      {"request":{"method":"GET","url":"https://abc123.execute-api.us-east-1.amazonaws.com/prod"}},
      {"request":{"method":"GET","url":"https://abc123.execute-api.us-east-1.amazonaws.com/"}},
      {"request":{"method":"GET","url":"http://user:pw@Example.COM:8080/a/b?x=1#frag"}}]}})");
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->transactions.size(), 3u);
  EXPECT_EQ(read->transactions[0].stage, "prod");
  EXPECT_EQ(read->transactions[0].path, "/");
  EXPECT_EQ(read->transactions[0].api_id, "abc123");
  EXPECT_EQ(read->transactions[1].stage, "");
  EXPECT_EQ(read->transactions[1].path, "/");
  EXPECT_EQ(read->transactions[2].domain_name, "example.com");
  EXPECT_EQ(read->transactions[2].path, "/a/b");
  EXPECT_EQ(read->transactions[2].query, "x=1");
  EXPECT_EQ(read->transactions[2].status, -1);
  EXPECT_EQ(read->transactions[2].request_time_ms, -1);
  EXPECT_EQ(read->transactions[2].coverage, model::Coverage::kDiscoveryOnly);
}

TEST(HarReaderTest, RebuildsFormBodiesFromParams) {
  Result<HarReadResult> read = ReadHar(R"({"log":{"entries":[{"request":{"method":"POST",
      "url":"https://h.example/login","postData":{"mimeType":"application/x-www-form-urlencoded",
      "params":[{"name":"user","value":"a b"},{"name":"next","value":"/x&y"}]}}}]}})");
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->transactions.size(), 1u);
  EXPECT_EQ(read->transactions[0].request_body.text, "user=a+b&next=%2Fx%26y");
  EXPECT_EQ(read->transactions[0].request_body.content_type, "application/x-www-form-urlencoded");
}

TEST(HarReaderTest, RejectsUnusableEntriesAndKeepsTheOthers) {
  std::string entries;
  for (int i = 0; i < 150; ++i) entries += R"({"request":{"method":"GET","url":"not a url"}},)";
  entries += R"(1,{"request":{"url":"https://h.example/"}},{"response":{}},)";
  entries += R"({"request":{"method":"GET","url":"https://h.example/ok"}})";
  Result<HarReadResult> read = ReadHar(R"({"log":{"entries":[)" + entries + "]}}");
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->transactions.size(), 1u);
  EXPECT_EQ(read->transactions[0].path, "/ok");
  EXPECT_EQ(read->rejected_count, 153u);
  ASSERT_EQ(read->rejected.size(), 100u);
  EXPECT_EQ(read->rejected[0].reason, "request.url is not an absolute http(s) URL");
  EXPECT_EQ(read->rejected[99].entry, 99u);
}

TEST(HarReaderTest, RejectsDocumentsThatAreNotHar) {
  for (std::string_view bad : {"", "not json", "[]", R"({"log":{}})", R"({"log":{"entries":{}}})",
                               R"({"entries":[]})", "{\"log\":{\"entries\":[\"\xFF\"]}}"}) {
    Result<HarReadResult> read = ReadHar(bad);
    EXPECT_FALSE(read.ok()) << bad;
  }
  std::string deep = R"({"log":{"entries":[)" + std::string(10000, '[') + std::string(10000, ']') +
                     "]}}";
  Result<HarReadResult> read = ReadHar(deep);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("nested"), std::string::npos);
  Result<HarReadResult> empty = ReadHar(R"({"log":{"version":"1.2","entries":[]}})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->transactions.empty());
}

}  // namespace
}  // namespace gatescope::ingest
