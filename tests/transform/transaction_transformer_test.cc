#include "transform/transaction_transformer.h"

#include <gtest/gtest.h>

#include "model/transaction_json.h"
#include "tests/transform/fixture_transactions.h"
#include "transform/transaction_id.h"

namespace gatescope::transform {
namespace {

using model::ApiKind;
using model::Coverage;
using model::HttpTransaction;
using model::LogSource;

std::unique_ptr<TransactionTransformer> Make(const TransformOptions& options = {}) {
  Result<std::unique_ptr<TransactionTransformer>> t = TransactionTransformer::Create(options);
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? std::move(t).value() : nullptr;
}

// A REST transaction rebuilt from execution logs, with whole bodies of the given type.
HttpTransaction Rest(std::string_view content_type = "application/json",
                     std::string_view body = R"({"a":1})") {
  HttpTransaction tx;
  tx.api_kind = ApiKind::kRest;
  tx.source = LogSource::kExecutionLog;
  tx.coverage = Coverage::kFull;
  tx.method = "POST";
  tx.path = "/pets";
  tx.request_id = "req-1";
  tx.log_group = "API-Gateway-Execution-Logs_abc/prod";
  tx.log_stream = "stream";
  tx.event_id = "1";
  tx.request_headers.logged = true;
  tx.request_body.present = true;
  tx.request_body.text = body;
  tx.request_body.content_type = content_type;
  tx.response_body.present = true;
  tx.response_body.text = body;
  tx.response_body.content_type = content_type;
  return tx;
}

std::string Header(const model::FieldList& headers, std::string_view name) {
  const model::Field* f = headers.Find(name);
  return f == nullptr ? "<missing>" : f->value;
}

TEST(TransformOptionsTest, CreateRejectsBadOptionsNamingTheOption) {
  auto expect_error = [](const TransformOptions& o, std::string_view prefix) {
    Result<std::unique_ptr<TransactionTransformer>> t = TransactionTransformer::Create(o);
    ASSERT_FALSE(t.ok()) << prefix;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(t.status().message().rfind(prefix, 0), 0u) << t.status().message();
  };
  expect_error({.content_type_regex = "(abc"}, "content_type_regex: missing ): (abc");
  expect_error({.static_file_regex = "[z-a]"}, "static_file_regex: ");
  expect_error({.max_body_bytes = 0}, "max_body_bytes: ");
  expect_error({.max_body_bytes = kMaxMaxBodyBytes + 1}, "max_body_bytes: ");
  expect_error({.redact_headers = {"x-a", ""}}, "redact_headers: ");
  expect_error({.redact_query_params = {""}}, "redact_query_params: ");
  EXPECT_TRUE(ValidateTransformOptions({}).ok());
}

TEST(TransactionTransformerTest, FilterReasonNames) {
  EXPECT_EQ(FilterReasonName(FilterReason::kContentType), "content_type");
  EXPECT_EQ(FilterReasonName(FilterReason::kStaticFile), "static_file");
}

TEST(TransactionTransformerTest, DefaultContentTypeFilterKeepsApiTypes) {
  auto t = Make();
  for (std::string_view type :
       {"application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
        "application/problem+json", "application/vnd.api+json", "application/xml", "text/xml",
        "application/soap+xml", "application/atom+xml", "application/x-www-form-urlencoded",
        "text/html", " text/html ;charset=utf-8"}) {
    HttpTransaction tx = Rest(type);
    EXPECT_EQ(t->Apply(&tx), std::nullopt) << type;
  }
  for (std::string_view type :
       {"text/css", "image/png", "application/javascript", "text/plain", "application/octet-stream",
        "application/jsonp", "application/pdf", "multipart/form-data; boundary=x"}) {
    HttpTransaction tx = Rest(type);
    EXPECT_EQ(t->Apply(&tx), FilterReason::kContentType) << type;
  }
  EXPECT_EQ(t->stats().filtered[static_cast<size_t>(FilterReason::kContentType)], 8u);
}

TEST(TransactionTransformerTest, ContentTypeComesFromResponseThenRequestThenNothing) {
  auto t = Make();
  // The response's header when its body has no type.
  HttpTransaction tx = Rest("");
  tx.response_body.present = false;
  tx.response_headers.Add("Content-Type", "text/css");
  tx.request_body.content_type = "application/json";
  EXPECT_EQ(t->Apply(&tx), FilterReason::kContentType);

  // No response type: the request's decides.
  tx = Rest("");
  tx.response_body.present = false;
  tx.request_headers.Add("content-type", "image/png");
  EXPECT_EQ(t->Apply(&tx), FilterReason::kContentType);

  // No type at all (an access log): kept.
  HttpTransaction access;
  access.source = LogSource::kAccessLog;
  access.api_kind = ApiKind::kRest;
  access.path = "/pets";
  EXPECT_EQ(t->Apply(&access), std::nullopt);
}

TEST(TransactionTransformerTest, FilteredTransactionIsLeftAsItIs) {
  auto t = Make();
  HttpTransaction tx = Rest("image/png", std::string(5000, 'x'));
  tx.request_headers.Add("Authorization", "Bearer abc");
  std::string before = model::TransactionToJson(tx);
  EXPECT_EQ(t->Apply(&tx), FilterReason::kContentType);
  EXPECT_EQ(model::TransactionToJson(tx), before);
  EXPECT_EQ(Header(tx.request_headers, "Authorization"), "Bearer abc");
  EXPECT_TRUE(tx.id.empty());
}

TEST(TransactionTransformerTest, DefaultStaticFileFilterMatchesExtensionsAtTheEnd) {
  auto t = Make();
  for (std::string_view path :
       {"/app.js", "/app.JS", "/static/app.js.map", "/img/logo.png", "/a/b.JPEG", "/f.woff2",
        "/docs/report.pdf", "/docs/x.xlsx", "/dl/a.tar.gz", "/m/v.mp4", "/s.css", "/i.svg"}) {
    HttpTransaction tx = Rest();
    tx.path = path;
    EXPECT_EQ(t->Apply(&tx), FilterReason::kStaticFile) << path;
  }
  for (std::string_view path :
       {"/api/v1/users", "/api/js", "/s.css/edit", "/data.json", "/v1/report.pdfx", "/pets/1"}) {
    HttpTransaction tx = Rest();
    tx.path = path;
    EXPECT_EQ(t->Apply(&tx), std::nullopt) << path;
  }
}

TEST(TransactionTransformerTest, EmptyRegexesDisableTheFilters) {
  auto t = Make({.content_type_regex = "", .static_file_regex = ""});
  HttpTransaction tx = Rest("image/png");
  tx.path = "/logo.png";
  EXPECT_EQ(t->Apply(&tx), std::nullopt);
}

TEST(TransactionTransformerTest, CustomRegexesApply) {
  auto t = Make({.content_type_regex = "^text/plain$", .static_file_regex = "^/health$"});
  HttpTransaction tx = Rest("text/plain");
  EXPECT_EQ(t->Apply(&tx), std::nullopt);
  tx = Rest("text/plain");
  tx.path = "/health";
  EXPECT_EQ(t->Apply(&tx), FilterReason::kStaticFile);
  tx = Rest("application/json");
  EXPECT_EQ(t->Apply(&tx), FilterReason::kContentType);
}

TEST(TransactionTransformerTest, ReplacesOversizedAndTruncatedBodiesInTheirContentType) {
  struct Case {
    std::string type;
    std::string body;
    std::string indicator;
  };
  const std::string big(2000, 'x');
  const Case cases[] = {
      {"application/json", big, R"({"gatescope_body_truncated":true})"},
      {"application/problem+json", big, R"({"gatescope_body_truncated":true})"},
      {"application/xml", "<a>" + big, "<gatescope_body_truncated>true</gatescope_body_truncated>"},
      {"text/xml", R"(<?xml version="1.0"?> <soapenv:Envelope xmlns:soapenv="x">)" + big,
       R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>)"
       "<gatescope_body_truncated>true</gatescope_body_truncated></soap:Body></soap:Envelope>"},
      {"application/soap+xml", "<Envelope>" + big,
       R"(<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>)"
       "<gatescope_body_truncated>true</gatescope_body_truncated></soap:Body></soap:Envelope>"},
      {"application/x-www-form-urlencoded", "a=" + big, "gatescope_body_truncated=true"},
      {"text/html", "<p>" + big, "<html><body><!-- gatescope_body_truncated --></body></html>"},
  };
  for (const Case& c : cases) {
    auto t = Make();
    HttpTransaction tx = Rest(c.type, c.body);
    ASSERT_EQ(t->Apply(&tx), std::nullopt) << c.type;
    for (const model::Body* b : {&tx.request_body, &tx.response_body}) {
      EXPECT_EQ(b->text, c.indicator) << c.type;
      EXPECT_TRUE(b->indicator);
      EXPECT_TRUE(b->truncated);
      EXPECT_EQ(b->content_type, c.type);
    }
    EXPECT_EQ(tx.coverage, Coverage::kDiscoveryOnly);
    EXPECT_EQ(Header(tx.request_headers, "x-gatescope-coverage"), "discovery-only");
    EXPECT_EQ(t->stats().bodies_replaced, 2u);
  }
}

TEST(TransactionTransformerTest, BodyLimitIsInclusiveAndTruncationAlwaysReplaces) {
  auto t = Make({.max_body_bytes = 10});
  HttpTransaction tx = Rest("application/json", "0123456789");
  ASSERT_EQ(t->Apply(&tx), std::nullopt);
  EXPECT_EQ(tx.request_body.text, "0123456789");
  EXPECT_FALSE(tx.request_body.indicator);
  EXPECT_EQ(tx.coverage, Coverage::kFull);
  EXPECT_EQ(Header(tx.request_headers, "x-gatescope-coverage"), "full");

  tx = Rest("application/json", R"({"a")");
  tx.response_body.truncated = true;
  ASSERT_EQ(t->Apply(&tx), std::nullopt);
  EXPECT_EQ(tx.request_body.text, R"({"a")");  // Short and whole: kept.
  EXPECT_EQ(tx.response_body.text, R"({"gatescope_body_truncated":true})");
  EXPECT_EQ(tx.coverage, Coverage::kDiscoveryOnly);

  // Empty bodies stay as they are, even marked truncated.
  tx = Rest("application/json", "");
  tx.response_body.truncated = true;
  ASSERT_EQ(t->Apply(&tx), std::nullopt);
  EXPECT_EQ(tx.response_body.text, "");
  EXPECT_FALSE(tx.response_body.indicator);
}

TEST(TransactionTransformerTest, IndicatorFormFallsBackToHeaderThenPlain) {
  auto t = Make({.content_type_regex = ""});
  HttpTransaction tx = Rest("", std::string(2000, 'y'));
  tx.request_headers.Add("Content-Type", "Text/XML; charset=utf-8");
  ASSERT_EQ(t->Apply(&tx), std::nullopt);
  EXPECT_EQ(tx.request_body.text, "<gatescope_body_truncated>true</gatescope_body_truncated>");
  EXPECT_EQ(tx.response_body.text, "gatescope_body_truncated");
  EXPECT_EQ(tx.response_body.content_type, "");
}

TEST(TransactionTransformerTest, HttpAndWebSocketApisAreEndpointsOnly) {
  auto t = Make();
  for (ApiKind kind : {ApiKind::kHttp, ApiKind::kWebSocket}) {
    HttpTransaction tx;
    tx.api_kind = kind;
    tx.source = LogSource::kAccessLog;
    tx.path = "/orders";
    tx.coverage = Coverage::kDiscoveryOnly;
    ASSERT_EQ(t->Apply(&tx), std::nullopt);
    EXPECT_EQ(tx.coverage, Coverage::kEndpointsOnly);
    for (const model::Body* b : {&tx.request_body, &tx.response_body}) {
      EXPECT_TRUE(b->present);
      EXPECT_TRUE(b->indicator);
      EXPECT_EQ(b->text, R"({"gatescope_endpoints_only":true})");
      EXPECT_EQ(b->content_type, "application/json");
    }
    EXPECT_EQ(Header(tx.request_headers, "X-Gatescope-Coverage"), "endpoints-only");
  }
  EXPECT_EQ(t->stats().endpoints_only, 2u);
  EXPECT_EQ(t->stats().bodies_replaced, 0u);
}

TEST(TransactionTransformerTest, AccessLogWithoutBodiesIsEndpointsOnlyButExecutionLogIsNot) {
  auto t = Make();
  HttpTransaction access;
  access.api_kind = ApiKind::kRest;
  access.source = LogSource::kAccessLog;
  access.path = "/pets";
  ASSERT_EQ(t->Apply(&access), std::nullopt);
  EXPECT_EQ(access.coverage, Coverage::kEndpointsOnly);

  HttpTransaction exec;
  exec.api_kind = ApiKind::kRest;
  exec.source = LogSource::kExecutionLog;
  exec.path = "/pets";
  exec.coverage = Coverage::kDiscoveryOnly;
  ASSERT_EQ(t->Apply(&exec), std::nullopt);
  EXPECT_EQ(exec.coverage, Coverage::kDiscoveryOnly);
  EXPECT_FALSE(exec.request_body.present);
  EXPECT_EQ(Header(exec.request_headers, "x-gatescope-coverage"), "discovery-only");
}

TEST(TransactionTransformerTest, OverwritesAnExistingCoverageHeader) {
  auto t = Make();
  HttpTransaction tx = Rest();
  tx.request_headers.Add("X-Gatescope-Coverage", "endpoints-only");
  ASSERT_EQ(t->Apply(&tx), std::nullopt);
  EXPECT_EQ(tx.request_headers.size(), 1u);
  EXPECT_EQ(tx.request_headers[0].value, "full");
}

TEST(TransactionTransformerTest, RedactsCredentialHeadersConfiguredHeadersAndJwts) {
  auto t = Make({.redact_headers = {"X-Session"}});
  HttpTransaction tx = Rest();
  tx.request_headers.Add("authorization", "Bearer abc");
  tx.request_headers.Add("Cookie", "sid=1", true);
  tx.request_headers.Add("x-session", "s-1");
  tx.request_headers.Add("X-Forwarded-Token", "pre eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln");
  tx.request_headers.Add("Accept", "application/json");
  tx.response_headers.Add("Set-Cookie", "sid=2");
  ASSERT_EQ(t->Apply(&tx), std::nullopt);
  EXPECT_EQ(Header(tx.request_headers, "Authorization"), "[REDACTED]");
  EXPECT_EQ(Header(tx.request_headers, "Cookie"), "[REDACTED]");
  EXPECT_FALSE(tx.request_headers.Find("Cookie")->value_truncated);
  EXPECT_EQ(Header(tx.request_headers, "X-Session"), "[REDACTED]");
  EXPECT_EQ(Header(tx.request_headers, "X-Forwarded-Token"), "[REDACTED]");
  EXPECT_EQ(Header(tx.request_headers, "Accept"), "application/json");
  EXPECT_EQ(Header(tx.response_headers, "Set-Cookie"), "[REDACTED]");
  EXPECT_EQ(tx.request_headers[0].name, "authorization");  // Names kept as sent.
  EXPECT_EQ(t->stats().headers_redacted, 5u);
}

TEST(TransactionTransformerTest, RedactsSecretQueryParametersInMapAndRawQuery) {
  auto t = Make({.redact_query_params = {"session"}});
  HttpTransaction tx = Rest();
  tx.query =
      "a=1&access_token=abc&Token=x%20y&b=2&code=&sig&api%5Fkey=k&SESSION=s&X-Amz-Signature=f0&&z="
      "9";
  tx.query_params.Add("a", "1");
  tx.query_params.Add("access_token", "abc");
  tx.query_params.Add("Token", "x y");
  tx.query_params.Add("api_key", "k");
  tx.query_params.Add("SESSION", "s");
  tx.query_params.Add("X-Amz-Signature", "f0");
  tx.query_params.Add("key", "visible");
  ASSERT_EQ(t->Apply(&tx), std::nullopt);
  EXPECT_EQ(tx.query,
            "a=1&access_token=[REDACTED]&Token=[REDACTED]&b=2&code=&sig&api%5Fkey=[REDACTED]"
            "&SESSION=[REDACTED]&X-Amz-Signature=[REDACTED]&&z=9");
  EXPECT_EQ(Header(tx.query_params, "a"), "1");
  EXPECT_EQ(Header(tx.query_params, "access_token"), "[REDACTED]");
  EXPECT_EQ(Header(tx.query_params, "token"), "[REDACTED]");
  EXPECT_EQ(Header(tx.query_params, "api_key"), "[REDACTED]");
  EXPECT_EQ(Header(tx.query_params, "session"), "[REDACTED]");
  EXPECT_EQ(Header(tx.query_params, "x-amz-signature"), "[REDACTED]");
  EXPECT_EQ(Header(tx.query_params, "key"), "visible");
  EXPECT_EQ(t->stats().query_params_redacted, 5u);

  // A query with nothing secret is not touched; the last parameter is handled too.
  HttpTransaction plain = Rest();
  plain.query = "x=1&y=2";
  ASSERT_EQ(t->Apply(&plain), std::nullopt);
  EXPECT_EQ(plain.query, "x=1&y=2");
  HttpTransaction last = Rest();
  last.query = "password=hunter2";
  ASSERT_EQ(t->Apply(&last), std::nullopt);
  EXPECT_EQ(last.query, "password=[REDACTED]");
}

TEST(TransactionIdTest, IsStableLengthPrefixedSha256) {
  HttpTransaction tx;
  tx.log_group = "/aws/apigateway/x";
  tx.log_stream = "stream";
  tx.event_id = "123";
  tx.request_id = "req";
  // python3: sha256(b"".join(struct.pack(">Q", len(f)) + f for f in fields)).hexdigest()[:32]
  EXPECT_EQ(TransactionId(tx), "2d69c24b6cabaf40774e10aa7e744b86");
  EXPECT_EQ(TransactionId(HttpTransaction()), "66687aadf862bd776c8fc18b8e9f8e20");

  // Fields cannot run into each other.
  HttpTransaction a, b;
  a.log_group = "ab";
  a.log_stream = "c";
  b.log_group = "a";
  b.log_stream = "bc";
  EXPECT_NE(TransactionId(a), TransactionId(b));

  // Other fields do not count; long fields work.
  HttpTransaction c = tx;
  c.path = "/other";
  c.status = 500;
  EXPECT_EQ(TransactionId(c), TransactionId(tx));
  c.log_stream = std::string(5000, 's');
  EXPECT_EQ(TransactionId(c).size(), 32u);
  EXPECT_NE(TransactionId(c), TransactionId(tx));
}

TEST(TransactionTransformerTest, SetsIdOnlyWhenEmpty) {
  auto t = Make();
  HttpTransaction tx = Rest();
  ASSERT_EQ(t->Apply(&tx), std::nullopt);
  EXPECT_EQ(tx.id, TransactionId(tx));
  tx = Rest();
  tx.id = "preset";
  ASSERT_EQ(t->Apply(&tx), std::nullopt);
  EXPECT_EQ(tx.id, "preset");
}

TEST(TransactionTransformerTest, FixtureTransactionsComeOutSafeAndApplyIsIdempotent) {
  auto t = Make();
  size_t kept = 0;
  for (HttpTransaction tx : testing::FixtureTransactions()) {
    if (t->Apply(&tx).has_value()) continue;
    ++kept;
    std::string once = model::TransactionToJson(tx);
    EXPECT_EQ(tx.id.size(), 32u);
    EXPECT_NE(tx.request_headers.Find("x-gatescope-coverage"), nullptr);
    for (const model::Field& f : tx.request_headers) {
      if (model::IsCredentialHeader(f.name)) {
        EXPECT_EQ(f.value, "[REDACTED]");
      }
    }
    for (const model::Body* b : {&tx.request_body, &tx.response_body}) {
      if (b->present && !b->indicator) {
        EXPECT_FALSE(b->truncated);
        EXPECT_LE(b->text.size(), 1024u);
      }
    }
    if (tx.api_kind == ApiKind::kHttp) {
      EXPECT_EQ(tx.coverage, Coverage::kEndpointsOnly);
    }
    ASSERT_EQ(t->Apply(&tx), std::nullopt);
    EXPECT_EQ(model::TransactionToJson(tx), once);
  }
  EXPECT_GT(kept, 50u);
}

}  // namespace
}  // namespace gatescope::transform
