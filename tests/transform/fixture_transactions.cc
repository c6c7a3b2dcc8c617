#include "tests/transform/fixture_transactions.h"

#include <algorithm>
#include <filesystem>
#include <string>

#include "parsers/apigw_access/access_log_parser.h"
#include "parsers/apigw_execution/execution_assembler.h"
#include "tests/support/decode_records.h"
#include "tests/support/test_util.h"

namespace gatescope::testing {
namespace {

using model::HttpTransaction;

void Assemble(const std::string& path, const std::string& log_group,
              std::vector<HttpTransaction>* out) {
  Decoded d =
      DecodeBytes(ReadFile(path), decoders::InputFormat::kAuto, {.default_log_group = log_group});
  pipeline::EventCounters counters;
  parsers::apigw_execution::ExecutionAssembler assembler(
      {}, &counters, [out](HttpTransaction& tx) { out->push_back(tx); });
  for (const OwnedRecord& r : d.records) {
    counters.AddReceived();
    assembler.Add(r.View());
  }
  assembler.Flush();
}

std::vector<std::string> Files(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string p = e.path().string();
    if (p.size() >= suffix.size() &&
        p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<HttpTransaction> FixtureTransactions() {
  std::vector<HttpTransaction> out;
  // The samples with the log groups their golden files were made with
  // (tests/parsers/apigw_execution/execution_assembler_test.cc).
  const std::pair<const char*, const char*> samples[] = {
      {"exec-rest-lambda-proxy-success-200.payload.json", ""},
      {"exec-rest-lambda-proxy-success-200.log", "API-Gateway-Execution-Logs_h733q2j6gb/Prod"},
      {"exec-rest-2017-lambda-proxy-token-authorizer-success.log", ""},
      {"exec-rest-2016-legacy-no-requestid-prefix-lambda-custom-200.log",
       "API-Gateway-Execution-Logs_ulhoxnm2x2/dev"}};
  for (const auto& [file, group] : samples) {
    Assemble(FixturePath(std::string("execution/samples/") + file), group, &out);
  }
  std::string generated = FixturePath("execution/generated");
  for (const std::string& f : Files(generated, ".json")) {
    if (f.find(".truth.") == std::string::npos) Assemble(f, "", &out);
  }
  for (const std::string& f : Files(generated, ".log")) Assemble(f, "", &out);

  parsers::apigw_access::AccessLogParser parser;
  std::string access = FixturePath("access");
  for (const std::string& f : Files(access, ".log")) {
    std::string relative = "access/" + std::filesystem::path(f).filename().string();
    for (const std::string& line : FixtureLines(relative)) {
      HttpTransaction tx;
      model::RawRecord record{
          .message = line,
          .timestamp_ms = 1700000000000,
          .log_group = "/aws/apigateway/access",
          .log_stream = "stream-1",
          .event_id = "37000000000000000000000000000000000000000000000000000001"};
      if (!parser.Parse(record, &tx).has_value()) out.push_back(tx);
    }
  }
  return out;
}

std::vector<HttpTransaction> HandBuiltTransactions() {
  std::vector<HttpTransaction> out;
  HttpTransaction tx;
  tx.request_id = "r-1";
  tx.extended_request_id = "ext=";
  tx.api_id = "abc123";
  tx.stage = "prod";
  tx.account_id = "123456789012";
  tx.domain_name = "api.example.com";
  tx.region = "eu-west-1";
  tx.api_kind = model::ApiKind::kRest;
  tx.method = "POST";
  tx.path = "/pets/42/\xC3\xA9t\xC3\xA9/\xFF\xFE";
  tx.query = "a=1&token=s3cr3t&b=%20";
  tx.resource_path = "/pets/{id}";
  tx.route_key = "POST /pets/{id}";
  tx.protocol = "HTTP/1.1";
  tx.resource_path_rebuilt = true;
  tx.path_params.Add("id", "42");
  tx.path_params.logged = true;
  tx.query_params.Add("a", "1");
  tx.query_params.Add("token", "s3cr3t", true);
  tx.query_params.truncated = true;
  tx.request_headers.Add("Authorization", "Bearer abc");
  tx.request_headers.Add("X-Custom", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln");
  tx.request_headers.Add("X-Ctl", std::string("a\x01\x1f\x7f\b\f\n\r\t\"\\/z", 15));
  tx.request_headers.Add("X-Cut", "abc", true);
  tx.request_headers.Add("x-api-key", "k");
  tx.request_headers.logged = true;
  tx.request_body.present = true;
  tx.request_body.text = R"({"a":"\u00e9","b":[1,2]})";
  tx.request_body.content_type = "application/json";
  tx.status = 201;
  tx.response_headers.Add("Set-Cookie", "sid=1");
  tx.response_headers.Add("Content-Type", "application/json; charset=utf-8");
  tx.response_headers.truncated = true;
  tx.response_body.present = true;
  tx.response_body.truncated = true;
  tx.response_body.indicator = true;
  tx.response_body.text = "{\"x\":\"\xE2\x82";  // Ends inside a UTF-8 sequence.
  tx.response_body.content_type = "application/json";
  tx.integration_uri = "arn:aws:lambda:eu-west-1:123456789012:function:f";
  tx.integration_request_id = "i-1";
  tx.xray_trace_id = "1-2-3";
  tx.authorizer_id = "auth1";
  tx.authorizer_principal = "****abcd";
  tx.api_key = "****wxyz";
  tx.api_key_required = 1;
  tx.error_kind = model::ErrorKind::kIntegrationTimeout;
  tx.status = 504;
  tx.integration_status = 0;
  tx.response_length = 0;
  tx.response_latency_ms = 29000;
  tx.integration_latency_ms = 29001;
  tx.error_message =
      "Execution failed due to a timeout error \xC0\xAF\xED\xA0\x80 \xF0\x9F\x98\x80";
  tx.source_ip = "10.0.0.1";
  tx.user_agent = "curl/8.0 \xE2\x9C\x93";
  tx.caller = "c";
  tx.user = "u";
  tx.event_type = "MESSAGE";
  tx.connection_id = "conn=";
  tx.request_time_ms = 1700000000123;
  tx.source = model::LogSource::kJoined;
  tx.coverage = model::Coverage::kFull;
  tx.partial = true;
  tx.partial_reason = model::PartialReason::kEndOfInput;
  tx.supplement = true;
  tx.end_time_ms = 1700000000999;
  tx.log_group = "g";
  tx.log_stream = "s";
  tx.event_id = "e";
  tx.event_count = 7;
  tx.id = "0123456789abcdef0123456789abcdef";
  out.push_back(tx);

  // Everything empty or unknown.
  out.push_back(HttpTransaction());

  // The other enum values and boundary numbers.
  HttpTransaction t2;
  t2.api_kind = model::ApiKind::kWebSocket;
  t2.source = model::LogSource::kExecutionLog;
  t2.coverage = model::Coverage::kEndpointsOnly;
  t2.api_key_required = 0;
  t2.status = 0;
  t2.response_length = INT64_MAX;
  t2.request_time_ms = 0;
  t2.error_kind = model::ErrorKind::kValidationFailed;
  t2.partial = true;
  t2.partial_reason = model::PartialReason::kNoStart;
  t2.event_count = UINT32_MAX;
  t2.request_headers.logged = true;  // Logged but empty.
  t2.request_body.present = true;    // Present but empty.
  out.push_back(t2);
  return out;
}

}  // namespace gatescope::testing
