#include "model/transaction_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "tests/support/test_util.h"
#include "tests/transform/fixture_transactions.h"

namespace gatescope::model {
namespace {

// The nlohmann-based writer that AppendTransactionJson replaced, kept verbatim as the reference:
// the new writer must produce the same bytes for every input.
namespace reference {

using Json = nlohmann::ordered_json;

void PutString(Json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

void PutNumber(Json& j, const char* key, int64_t value) {
  if (value >= 0) j[key] = value;
}

Json Fields(const FieldList& fields, bool redact) {
  Json list = Json::array();
  for (const Field& f : fields) {
    Json e{{"name", f.name},
           {"value", redact && (IsCredentialHeader(f.name) || ContainsJwt(f.value))
                         ? std::string("[REDACTED]")
                         : f.value}};
    if (f.value_truncated) e["value_truncated"] = true;
    list.push_back(std::move(e));
  }
  Json out{{"entries", std::move(list)}};
  if (fields.truncated) out["truncated"] = true;
  return out;
}

void PutFields(Json& j, const char* key, const FieldList& fields, bool redact) {
  if (fields.logged || !fields.empty()) j[key] = Fields(fields, redact);
}

void PutBody(Json& j, const char* key, const Body& body) {
  if (!body.present) return;
  Json b{{"text", body.text}};
  if (!body.content_type.empty()) b["content_type"] = body.content_type;
  if (body.truncated) b["truncated"] = true;
  if (body.indicator) b["indicator"] = true;
  j[key] = std::move(b);
}

std::string TransactionToJson(const HttpTransaction& tx) {
  Json j;
  j["format"] = "gatescope.transaction/v1";
  j["source"] = LogSourceName(tx.source);
  PutString(j, "id", tx.id);
  PutString(j, "request_id", tx.request_id);
  PutString(j, "extended_request_id", tx.extended_request_id);
  PutString(j, "api_id", tx.api_id);
  PutString(j, "stage", tx.stage);
  j["api_kind"] = ApiKindName(tx.api_kind);
  PutString(j, "account_id", tx.account_id);
  PutString(j, "region", tx.region);
  PutString(j, "domain_name", tx.domain_name);
  PutString(j, "method", tx.method);
  PutString(j, "path", tx.path);
  PutString(j, "query", tx.query);
  PutString(j, "resource_path", tx.resource_path);
  if (tx.resource_path_rebuilt) j["resource_path_rebuilt"] = true;
  PutString(j, "route_key", tx.route_key);
  PutString(j, "protocol", tx.protocol);
  PutFields(j, "path_parameters", tx.path_params, false);
  PutFields(j, "query_parameters", tx.query_params, false);
  PutFields(j, "request_headers", tx.request_headers, true);
  PutBody(j, "request_body", tx.request_body);
  PutNumber(j, "status", tx.status);
  PutFields(j, "response_headers", tx.response_headers, true);
  PutBody(j, "response_body", tx.response_body);
  PutNumber(j, "response_length", tx.response_length);
  PutNumber(j, "response_latency_ms", tx.response_latency_ms);
  PutString(j, "integration_uri", tx.integration_uri);
  PutNumber(j, "integration_status", tx.integration_status);
  PutNumber(j, "integration_latency_ms", tx.integration_latency_ms);
  PutString(j, "integration_request_id", tx.integration_request_id);
  PutString(j, "xray_trace_id", tx.xray_trace_id);
  PutString(j, "authorizer_id", tx.authorizer_id);
  PutString(j, "authorizer_principal", tx.authorizer_principal);
  PutString(j, "api_key", tx.api_key);
  if (tx.api_key_required >= 0) j["api_key_required"] = tx.api_key_required == 1;
  if (tx.error_kind != ErrorKind::kNone) j["error_kind"] = ErrorKindName(tx.error_kind);
  PutString(j, "error_message", tx.error_message);
  PutString(j, "source_ip", tx.source_ip);
  PutString(j, "user_agent", tx.user_agent);
  PutString(j, "caller", tx.caller);
  PutString(j, "user", tx.user);
  PutString(j, "event_type", tx.event_type);
  PutString(j, "connection_id", tx.connection_id);
  PutNumber(j, "request_time_ms", tx.request_time_ms);
  PutNumber(j, "end_time_ms", tx.end_time_ms);
  j["coverage"] = CoverageName(tx.coverage);
  if (tx.partial) j["partial"] = PartialReasonName(tx.partial_reason);
  if (tx.supplement) j["supplement"] = true;
  PutString(j, "log_group", tx.log_group);
  PutString(j, "log_stream", tx.log_stream);
  PutString(j, "event_id", tx.event_id);
  if (tx.event_count > 0) j["event_count"] = tx.event_count;
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string String(const std::string& s) {
  return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace reference

void ExpectSame(const HttpTransaction& tx) {
  std::string expected = reference::TransactionToJson(tx);
  EXPECT_EQ(TransactionToJson(tx), expected);
  std::string appended = "prefix";
  AppendTransactionJson(tx, &appended);
  EXPECT_EQ(appended, "prefix" + expected);
}

TEST(TransactionJsonTest, MatchesReferenceOnEveryFixtureTransaction) {
  std::vector<HttpTransaction> txs = testing::FixtureTransactions();
  ASSERT_GT(txs.size(), 50u);
  for (const HttpTransaction& tx : txs) ExpectSame(tx);
}

TEST(TransactionJsonTest, ReproducesGoldenFilesByteForByte) {
  // The goldens were written by the old writer; the samples are the first transactions
  // FixtureTransactions() returns, in the same order as the golden files list them.
  std::vector<HttpTransaction> txs = testing::FixtureTransactions();
  std::string all;
  for (const HttpTransaction& tx : txs) {
    AppendTransactionJson(tx, &all);
    all += '\n';
  }
  int files = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(testing::FixturePath("execution/samples"))) {
    std::string p = e.path().string();
    if (p.size() < 14 || p.substr(p.size() - 14) != ".golden.ndjson") continue;
    ++files;
    std::istringstream lines(testing::ReadFile(p));
    for (std::string line; std::getline(lines, line);) {
      EXPECT_NE(all.find(line + "\n"), std::string::npos) << p;
    }
  }
  EXPECT_EQ(files, 4);
}

TEST(TransactionJsonTest, MatchesReferenceOnHandBuiltTransactions) {
  for (const HttpTransaction& tx : testing::HandBuiltTransactions()) ExpectSame(tx);
  std::string json = TransactionToJson(testing::HandBuiltTransactions()[0]);
  // Spot checks of the rules the reference implies.
  EXPECT_NE(json.find(R"("value":"[REDACTED]")"), std::string::npos);
  EXPECT_EQ(json.find("Bearer abc"), std::string::npos);
  EXPECT_NE(json.find(R"(a\u0001\u001f)"), std::string::npos);
  EXPECT_NE(json.find("\x7f\\b\\f\\n\\r\\t\\\"\\\\/z"), std::string::npos);
  EXPECT_NE(json.find("{\\\"x\\\":\\\"\xEF\xBF\xBD\""), std::string::npos);
}

TEST(TransactionJsonTest, EscapesStringsLikeNlohmannOnTrickyUtf8) {
  const std::string cases[] = {
      "",
      "plain",
      std::string("\0", 1),
      "\x80",
      "\xC2",
      "\xC2\x41",
      "\xE2\x82\xAC",
      "\xE2\x82\x41\x42",
      "\xE2\x82",
      "\xF0\x9F\x98\x80",
      "\xF0\x9F\x98",
      "\xF0\x9F\x41",
      "\xF4\x90\x80\x80",  // Above U+10FFFF.
      "\xED\xA0\x80",      // A UTF-16 surrogate.
      "\xC0\xAF",          // Overlong.
      "\xE0\x80\xAF",
      "\xFF\xFE\xFD",
      "a\xC3\xA9\xC3",
      "\x7F\x1F\x20",
      "\xEF\xBB\xBF<x/>",
  };
  for (const std::string& s : cases) {
    std::string out;
    AppendJsonString(s, &out);
    EXPECT_EQ(out, reference::String(s)) << ::testing::PrintToString(s);
  }
}

TEST(TransactionJsonTest, MatchesReferenceOnRandomBytes) {
  // Deterministic random strings biased towards bytes that matter: UTF-8 lead and continuation
  // bytes, controls, quotes and backslashes.
  std::mt19937 rng(12345);
  const unsigned char interesting[] = {0x00, 0x01, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F, '"',
                                       '\\', '/',  0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0,
                                       0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 'a',  'Z'};
  auto random_string = [&]() {
    std::string s;
    size_t n = rng() % 24;
    for (size_t i = 0; i < n; ++i) {
      if (rng() % 3 == 0) {
        s.push_back(static_cast<char>(interesting[rng() % sizeof(interesting)]));
      } else {
        s.push_back(static_cast<char>(rng() % 256));
      }
    }
    return s;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string s = random_string();
    std::string out;
    AppendJsonString(s, &out);
    ASSERT_EQ(out, reference::String(s)) << ::testing::PrintToString(s);
  }
  for (int i = 0; i < 500; ++i) {
    HttpTransaction tx;
    tx.path = random_string();
    tx.query = random_string();
    tx.request_headers.Add(random_string(), random_string(), rng() % 2 == 0);
    tx.response_body.present = true;
    tx.response_body.text = random_string();
    tx.response_body.content_type = random_string();
    tx.error_message = random_string();
    tx.status = static_cast<int32_t>(rng() % 600) - 1;
    ExpectSame(tx);
  }
}

TEST(TransactionJsonTest, DetectsJwtAndCredentialHeaders) {
  EXPECT_TRUE(ContainsJwt("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig0"));
  EXPECT_TRUE(ContainsJwt("eyJhbGci.eyJzdWIi"));
  EXPECT_FALSE(ContainsJwt("eyJ"));
  EXPECT_FALSE(ContainsJwt("eyJabc.def"));
  EXPECT_TRUE(IsCredentialHeader("AUTHORIZATION"));
  EXPECT_TRUE(IsCredentialHeader("x-Api-Key"));
  EXPECT_FALSE(IsCredentialHeader("x-api-keys"));
}

}  // namespace
}  // namespace gatescope::model
