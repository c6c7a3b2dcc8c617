#include "ingest/transaction_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/transaction_json.h"
#include "tests/transform/fixture_transactions.h"
#include "transform/transaction_transformer.h"

namespace gatescope::ingest {
namespace {

using model::HttpTransaction;

// Write, read, write again: the two lines must be the same bytes.
void ExpectRoundTrip(TransactionReader& reader, const HttpTransaction& tx) {
  std::string line = model::TransactionToJson(tx);
  HttpTransaction back;
  Status s = reader.Read(line, &back);
  ASSERT_TRUE(s.ok()) << s.message() << "\n" << line.substr(0, 300);
  EXPECT_EQ(model::TransactionToJson(back), line);
}

HttpTransaction ReadOk(std::string_view line) {
  TransactionReader reader;
  HttpTransaction tx;
  Status s = reader.Read(line, &tx);
  EXPECT_TRUE(s.ok()) << s.message();
  return tx;
}

Status ReadError(std::string_view line) {
  TransactionReader reader;
  HttpTransaction tx;
  Status s = reader.Read(line, &tx);
  EXPECT_FALSE(s.ok()) << line;
  EXPECT_EQ(s.code(), StatusCode::kParseError);
  return s;
}

constexpr std::string_view kHead = R"({"format":"gatescope.transaction/v1")";

std::string Line(std::string_view members) {
  return std::string(kHead) + std::string(members) + "}";
}

TEST(TransactionReaderTest, RoundTripsEveryFixtureTransaction) {
  std::vector<HttpTransaction> txs = testing::FixtureTransactions();
  ASSERT_GT(txs.size(), 50u);
  TransactionReader reader;  // One reader for all: reuse must not leak fields between lines.
  for (const HttpTransaction& tx : txs) ExpectRoundTrip(reader, tx);
}

TEST(TransactionReaderTest, RoundTripsTransformedFixtureTransactions) {
  // What the connector actually ships: ids, indicator bodies, redacted values.
  auto transformer = transform::TransactionTransformer::Create({});
  ASSERT_TRUE(transformer.ok());
  TransactionReader reader;
  size_t n = 0;
  for (HttpTransaction tx : testing::FixtureTransactions()) {
    if ((*transformer)->Apply(&tx).has_value()) continue;
    ASSERT_FALSE(tx.id.empty());
    ExpectRoundTrip(reader, tx);
    ++n;
  }
  EXPECT_GT(n, 50u);
}

TEST(TransactionReaderTest, RoundTripsHandBuiltTransactions) {
  TransactionReader reader;
  for (const HttpTransaction& tx : testing::HandBuiltTransactions()) ExpectRoundTrip(reader, tx);
}

TEST(TransactionReaderTest, ReadsEveryFieldOfTheHandBuiltTransaction) {
  HttpTransaction tx = testing::HandBuiltTransactions()[0];
  HttpTransaction back = ReadOk(model::TransactionToJson(tx));
  EXPECT_EQ(back.request_id, "r-1");
  EXPECT_EQ(back.api_kind, model::ApiKind::kRest);
  EXPECT_EQ(back.source, model::LogSource::kJoined);
  EXPECT_EQ(back.coverage, model::Coverage::kFull);
  EXPECT_TRUE(back.partial);
  EXPECT_EQ(back.partial_reason, model::PartialReason::kEndOfInput);
  EXPECT_TRUE(back.supplement);
  EXPECT_TRUE(back.resource_path_rebuilt);
  EXPECT_EQ(back.error_kind, model::ErrorKind::kIntegrationTimeout);
  EXPECT_EQ(back.api_key_required, 1);
  EXPECT_EQ(back.status, 504);
  EXPECT_EQ(back.integration_status, 0);
  EXPECT_EQ(back.response_length, 0);
  EXPECT_EQ(back.response_latency_ms, 29000);
  EXPECT_EQ(back.integration_latency_ms, 29001);
  EXPECT_EQ(back.request_time_ms, 1700000000123);
  EXPECT_EQ(back.end_time_ms, 1700000000999);
  EXPECT_EQ(back.event_count, 7u);
  EXPECT_EQ(back.id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(back.path_params.size(), 1u);
  EXPECT_TRUE(back.path_params.logged);
  ASSERT_EQ(back.query_params.size(), 2u);
  EXPECT_TRUE(back.query_params.truncated);
  EXPECT_TRUE(back.query_params[1].value_truncated);
  EXPECT_EQ(back.query_params[1].value, "s3cr3t");  // Parameter maps are not redacted by the writer.
  ASSERT_EQ(back.request_headers.size(), 5u);
  EXPECT_EQ(back.request_headers[0].name, "Authorization");
  EXPECT_EQ(back.request_headers[0].value, "[REDACTED]");  // Redacted values stay redacted.
  EXPECT_EQ(back.request_headers[1].value, "[REDACTED]");  // The JWT.
  EXPECT_EQ(back.request_headers[2].value, std::string("a\x01\x1f\x7f\b\f\n\r\t\"\\/z", 15));
  EXPECT_TRUE(back.request_headers[3].value_truncated);
  EXPECT_TRUE(back.request_body.present);
  EXPECT_EQ(back.request_body.text, tx.request_body.text);
  EXPECT_EQ(back.request_body.content_type, "application/json");
  EXPECT_FALSE(back.request_body.truncated);
  EXPECT_TRUE(back.response_body.truncated);
  EXPECT_TRUE(back.response_body.indicator);
  EXPECT_TRUE(back.response_headers.truncated);
  // Invalid UTF-8 came back as U+FFFD.
  EXPECT_EQ(back.user_agent, "curl/8.0 \xE2\x9C\x93");
  EXPECT_EQ(back.response_body.text, "{\"x\":\"\xEF\xBF\xBD");
}

TEST(TransactionReaderTest, EmptyTransactionGivesDefaults) {
  HttpTransaction back = ReadOk(model::TransactionToJson(HttpTransaction()));
  EXPECT_EQ(back.status, -1);
  EXPECT_EQ(back.response_latency_ms, -1);
  EXPECT_EQ(back.integration_latency_ms, -1);
  EXPECT_EQ(back.request_time_ms, -1);
  EXPECT_EQ(back.api_key_required, -1);
  EXPECT_EQ(back.event_count, 0u);
  EXPECT_FALSE(back.partial);
  EXPECT_FALSE(back.request_headers.logged);
  EXPECT_FALSE(back.request_body.present);
}

TEST(TransactionReaderTest, ReusedTransactionIsClearedFirst) {
  TransactionReader reader;
  HttpTransaction tx = testing::HandBuiltTransactions()[0];
  ASSERT_TRUE(reader.Read(Line(""), &tx).ok());
  EXPECT_EQ(model::TransactionToJson(tx), model::TransactionToJson(HttpTransaction()));
}

TEST(TransactionReaderTest, ReadsEveryEnumValue) {
  TransactionReader reader;
  HttpTransaction tx;
  for (int k = 0; k < 4; ++k) {
    auto kind = static_cast<model::ApiKind>(k);
    ASSERT_TRUE(reader.Read(Line(R"(,"api_kind":")" + std::string(model::ApiKindName(kind)) + "\""),
                            &tx).ok());
    EXPECT_EQ(tx.api_kind, kind);
  }
  for (int k = 0; k < 3; ++k) {
    auto source = static_cast<model::LogSource>(k);
    ASSERT_TRUE(
        reader.Read(Line(R"(,"source":")" + std::string(model::LogSourceName(source)) + "\""), &tx)
            .ok());
    EXPECT_EQ(tx.source, source);
  }
  for (int k = 0; k < 3; ++k) {
    auto coverage = static_cast<model::Coverage>(k);
    ASSERT_TRUE(
        reader.Read(Line(R"(,"coverage":")" + std::string(model::CoverageName(coverage)) + "\""),
                    &tx).ok());
    EXPECT_EQ(tx.coverage, coverage);
  }
  for (size_t k = 0; k < model::kPartialReasonCount; ++k) {
    auto reason = static_cast<model::PartialReason>(k);
    std::string line =
        Line(R"(,"partial":")" + std::string(model::PartialReasonName(reason)) + "\"");
    ASSERT_TRUE(reader.Read(line, &tx).ok());
    EXPECT_TRUE(tx.partial);
    EXPECT_EQ(tx.partial_reason, reason);
    EXPECT_EQ(model::TransactionToJson(tx).find(R"("partial":")" +
                                                std::string(model::PartialReasonName(reason))),
              model::TransactionToJson(tx).find("\"partial\""));
  }
  for (int k = 0; k < 10; ++k) {
    auto kind = static_cast<model::ErrorKind>(k);
    ASSERT_TRUE(
        reader.Read(Line(R"(,"error_kind":")" + std::string(model::ErrorKindName(kind)) + "\""),
                    &tx).ok());
    EXPECT_EQ(tx.error_kind, kind);
  }
  ASSERT_TRUE(reader.Read(Line(R"(,"api_key_required":false)"), &tx).ok());
  EXPECT_EQ(tx.api_key_required, 0);
}

TEST(TransactionReaderTest, ReadsBodyIndicatorAndTruncationFlags) {
  HttpTransaction tx = ReadOk(Line(
      R"(,"request_body":{"text":"{\"gatescope_truncated\":true}","content_type":"application/json","truncated":true,"indicator":true},"response_body":{"text":""})"));
  EXPECT_TRUE(tx.request_body.present);
  EXPECT_TRUE(tx.request_body.truncated);
  EXPECT_TRUE(tx.request_body.indicator);
  EXPECT_EQ(tx.request_body.text, R"({"gatescope_truncated":true})");
  EXPECT_TRUE(tx.response_body.present);  // Present but empty is an observation.
  EXPECT_TRUE(tx.response_body.text.empty());
  EXPECT_FALSE(tx.response_body.indicator);
}

TEST(TransactionReaderTest, ReadsEmptyLoggedFieldList) {
  HttpTransaction tx = ReadOk(Line(R"(,"request_headers":{"entries":[]})"));
  EXPECT_TRUE(tx.request_headers.logged);
  EXPECT_TRUE(tx.request_headers.empty());
  EXPECT_FALSE(tx.response_headers.logged);
}

TEST(TransactionReaderTest, DecodesUnicodeEscapes) {
  HttpTransaction tx = ReadOk(Line(
      R"(,"path":"/caf\u00e9/\ud83d\ude00","user_agent":"a\u0000b","method":"\u0047ET")"));
  EXPECT_EQ(tx.path, "/caf\xC3\xA9/\xF0\x9F\x98\x80");
  EXPECT_EQ(tx.user_agent, std::string("a\0b", 3));
  EXPECT_EQ(tx.method, "GET");
  // \u0000 is written back escaped.
  EXPECT_NE(model::TransactionToJson(tx).find(R"("user_agent":"a\u0000b")"), std::string::npos);
}

TEST(TransactionReaderTest, ReadsLargeNumbersAtTheirLimits) {
  HttpTransaction tx = ReadOk(Line(
      R"(,"status":2147483647,"response_length":9223372036854775807,"event_count":4294967295,"request_time_ms":0)"));
  EXPECT_EQ(tx.status, INT32_MAX);
  EXPECT_EQ(tx.response_length, INT64_MAX);
  EXPECT_EQ(tx.event_count, UINT32_MAX);
  EXPECT_EQ(tx.request_time_ms, 0);
}

TEST(TransactionReaderTest, IgnoresUnknownFieldsOfAnyType) {
  HttpTransaction tx = ReadOk(Line(
      R"(,"new_field":{"a":[1,{"b":null}],"c":"x"},"method":"GET","x":[],"y":1.5e300,"z":null,"request_body":{"text":"t","future":[1]},"request_headers":{"entries":[{"name":"a","value":"b","extra":true}],"more":{}})"));
  EXPECT_EQ(tx.method, "GET");
  EXPECT_EQ(tx.request_body.text, "t");
  ASSERT_EQ(tx.request_headers.size(), 1u);
  EXPECT_EQ(tx.request_headers[0].value, "b");
}

TEST(TransactionReaderTest, AcceptsFormatAnywhereAndWhitespace) {
  HttpTransaction tx = ReadOk(R"(  { "method" : "PUT" , "format" : "gatescope.transaction/v1" }  )");
  EXPECT_EQ(tx.method, "PUT");
}

TEST(TransactionReaderTest, RejectsMissingOrWrongFormat) {
  EXPECT_NE(ReadError(R"({"method":"GET"})").message().find("format"), std::string::npos);
  EXPECT_NE(ReadError(R"({"format":"gatescope.transaction/v2"})").message().find("format"),
            std::string::npos);
  EXPECT_NE(ReadError(R"({"format":1})").message().find("format"), std::string::npos);
}

TEST(TransactionReaderTest, RejectsInvalidJson) {
  for (std::string_view bad :
       {"", " ", "{", "[]", "null", "\"x\"", R"({"format":"gatescope.transaction/v1")",
        R"({"format":"gatescope.transaction/v1",})", R"({"format":"gatescope.transaction/v1"} x)",
        R"({"format":"gatescope.transaction/v1"}{})", R"({"format":"gatescope.transaction/v1","path":"\x"})",
        R"({"format":"gatescope.transaction/v1","path":"\ud800"})",
        "{\"format\":\"gatescope.transaction/v1\",\"path\":\"\xFF\"}",
        R"({"format":"gatescope.transaction/v1","z":[1,}"})"}) {
    Status s = ReadError(bad);
    EXPECT_LT(s.message().size(), 200u);
  }
}

TEST(TransactionReaderTest, RejectsWrongTypesNamingTheField) {
  struct Case {
    std::string members;
    std::string field;
  };
  const Case cases[] = {
      {R"(,"method":1)", "method"},
      {R"(,"path":null)", "path"},
      {R"(,"status":"200")", "status"},
      {R"(,"status":200.5)", "status"},
      {R"(,"status":-1)", "status"},
      {R"(,"status":2147483648)", "status"},
      {R"(,"response_latency_ms":-5)", "response_latency_ms"},
      {R"(,"response_length":9223372036854775808)", "response_length"},
      {R"(,"response_length":1e3)", "response_length"},
      {R"(,"event_count":4294967296)", "event_count"},
      {R"(,"api_kind":"soap")", "api_kind"},
      {R"(,"source":1)", "source"},
      {R"(,"coverage":"most")", "coverage"},
      {R"(,"partial":true)", "partial"},
      {R"(,"error_kind":"oops")", "error_kind"},
      {R"(,"api_key_required":1)", "api_key_required"},
      {R"(,"supplement":"true")", "supplement"},
      {R"(,"request_headers":[])", "request_headers"},
      {R"(,"request_headers":{"entries":{}})", "request_headers.entries"},
      {R"(,"request_headers":{"entries":[1]})", "request_headers.entries[0]"},
      {R"(,"request_headers":{"entries":[{"name":"a","value":"b"},{"name":"a","value":2}]})",
       "request_headers.entries[1].value"},
      {R"(,"query_parameters":{"entries":[{"name":"a","value_truncated":1}]})",
       "query_parameters.entries[0].value_truncated"},
      {R"(,"path_parameters":{"truncated":"yes"})", "path_parameters.truncated"},
      {R"(,"request_body":"text")", "request_body"},
      {R"(,"response_body":{"text":1})", "response_body.text"},
      {R"(,"response_body":{"indicator":1})", "response_body.indicator"},
  };
  for (const Case& c : cases) {
    Status s = ReadError(Line(c.members));
    EXPECT_NE(s.message().find(c.field + ":"), std::string::npos)
        << c.members << " -> " << s.message();
  }
}

TEST(TransactionReaderTest, ErrorsNeverEchoValues) {
  Status s = ReadError(Line(R"(,"api_key_required":"SECRET-TOKEN-123","api_kind":"x")"));
  EXPECT_EQ(s.message().find("SECRET"), std::string::npos);
  s = ReadError(Line(R"(,"api_kind":"SECRET-TOKEN-123")"));
  EXPECT_EQ(s.message().find("SECRET"), std::string::npos);
  s = ReadError(R"({"SECRET-TOKEN-123":1})");
  EXPECT_EQ(s.message().find("SECRET"), std::string::npos);
}

TEST(TransactionReaderTest, ReaderRecoversAfterAnError) {
  TransactionReader reader;
  HttpTransaction tx;
  EXPECT_FALSE(reader.Read("{\"format\":", &tx).ok());
  ASSERT_TRUE(reader.Read(Line(R"(,"method":"GET")"), &tx).ok());
  EXPECT_EQ(tx.method, "GET");
  // A longer line than any before grows the buffer.
  std::string long_path(100000, 'a');
  ASSERT_TRUE(reader.Read(Line(R"(,"path":")" + long_path + "\""), &tx).ok());
  EXPECT_EQ(tx.path, long_path);
}

}  // namespace
}  // namespace gatescope::ingest
