// Cost of TransactionReader::Read per gatescope.transaction/v1 line: the inventory server's
// hot path (the target is 200,000 transactions/s for the whole server on 2 cores).
//
// The lines are what the connector ships: access-log lines parsed by AccessLogParser and run
// through the TransactionTransformer (ids, endpoints-only bodies, the coverage header), and a
// REST execution-log transaction with headers and a JSON body. One reader and one transaction
// are reused, as the server does, so these are steady-state figures (no allocation per line).

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/transaction_reader.h"
#include "model/http_transaction.h"
#include "model/raw_record.h"
#include "model/transaction_json.h"
#include "parsers/apigw_access/access_log_parser.h"
#include "transform/transaction_transformer.h"

namespace gatescope {
namespace {

using model::HttpTransaction;

constexpr std::string_view kAccessLines[] = {
    R"({ "requestId":"48752d0f-c99d-4cfa-a5a7-f3c6834d19e5", )"
    R"("extendedRequestId":"Nf1bAFzVIAMFaAA=","ip": "203.0.113.7", "caller":"-", "user":"-", )"
    R"("requestTime":"27/Oct/2023:13:40:57 +0000", )"
    R"("httpMethod":"GET", "resourcePath":"/pets/{petId}", "status":"200", "protocol":"HTTP/1.1", )"
    R"("responseLength":"184", "path":"/prod/pets/42", "stage":"prod", "apiId":"k7x2mq9p4z", )"
    R"("domainName":"k7x2mq9p4z.execute-api.us-east-1.amazonaws.com", "responseLatency":"38", )"
    R"("integrationLatency":"31", "userAgent":"curl/8.4.0" })",
    R"({"requestId":"GQIVriFLIAMEMsA=", "ip": "203.0.113.7", )"
    R"("requestTime":"27/Oct/2023:13:40:57 +0000", "requestTimeEpoch":"1698414057744", )"
    R"("httpMethod":"GET", "routeKey":"GET /orders/{id}", "path":"/prod/orders/1042", )"
    R"("status":"200", "protocol":"HTTP/1.1", "responseLength":"47", "stage":"prod", )"
    R"("apiId":"n5vb7c2kd8", "integrationLatency":"27", "responseLatency":"31"})",
    R"({ "requestId": "27e8f5f0-d774-47d5-8ca9-3a4418d263fe", "httpMethod": "POST", )"
    R"("path": "/prod/users/123", "protocol": "HTTP/1.1", "status": "201", )"
    R"("responseLength": "98", "requestTime": "27/Oct/2023:13:40:57 +0000", )"
    R"("requestTimeEpoch": "1698414057049", "responseLatency": "13", )"
    R"("integrationLatency": "9", "integrationStatus": "201", "errorMessage": "-", )"
    R"("stage": "prod", "domainName": "3fh8wq1lzd.execute-api.us-east-1.amazonaws.com", )"
    R"("sourceIp": "100.49.118.14", "userAgent": "okhttp/4.12.0" })",
};

std::vector<std::string> AccessLogTransactionLines() {
  parsers::apigw_access::AccessLogParser parser;
  auto transformer = transform::TransactionTransformer::Create({});
  if (!transformer.ok()) std::abort();
  std::vector<std::string> lines;
  HttpTransaction tx;
  for (std::string_view line : kAccessLines) {
    model::RawRecord record{.message = line,
                            .timestamp_ms = 1698414057744,
                            .log_group = "/aws/apigateway/access-logs",
                            .log_stream = "k7x2mq9p4z_prod-2023-10-27",
                            .event_id = "37869845204530587625089434126473208946003286734196736001"};
    if (parser.Parse(record, &tx).has_value()) std::abort();  // Would not measure a real line.
    tx.event_count = 1;
    if ((*transformer)->Apply(&tx).has_value()) std::abort();
    lines.push_back(model::TransactionToJson(tx));
  }
  return lines;
}

// A joined REST transaction with the content execution logs give: headers and a JSON body.
std::string ExecutionLogTransactionLine() {
  HttpTransaction tx;
  tx.id = "5d0c3a4f9b8e7d6c5b4a39281706f5e4";
  tx.source = model::LogSource::kJoined;
  tx.request_id = "48752d0f-c99d-4cfa-a5a7-f3c6834d19e5";
  tx.api_id = "k7x2mq9p4z";
  tx.stage = "prod";
  tx.api_kind = model::ApiKind::kRest;
  tx.region = "us-east-1";
  tx.domain_name = "k7x2mq9p4z.execute-api.us-east-1.amazonaws.com";
  tx.method = "POST";
  tx.path = "/pets";
  tx.resource_path = "/pets";
  tx.protocol = "HTTP/1.1";
  tx.request_headers.logged = tx.response_headers.logged = true;
  for (auto [n, v] : {std::pair{"Accept", "application/json"},
                      {"Content-Type", "application/json"},
                      {"Host", "k7x2mq9p4z.execute-api.us-east-1.amazonaws.com"},
                      {"User-Agent", "okhttp/4.12.0"},
                      {"X-Amzn-Trace-Id", "Root=1-653bbd29-0123456789abcdef01234567"},
                      {"X-Forwarded-For", "203.0.113.7"},
                      {"X-Forwarded-Port", "443"},
                      {"X-Forwarded-Proto", "https"},
                      {"Authorization", "[REDACTED]"}}) {
    tx.request_headers.Add(n, v);
  }
  tx.response_headers.Add("Content-Type", "application/json");
  tx.response_headers.Add("X-Amzn-Trace-Id", "Root=1-653bbd29-0123456789abcdef01234567");
  tx.request_body.present = true;
  tx.request_body.content_type = "application/json";
  tx.request_body.text =
      R"({"name":"Rex","type":"dog","age":3,"tags":["friendly","vaccinated"],)"
      R"("owner":{"name":"Jane Doe","email":"jane@example.com","phone":"+1-202-555-0143"}})";
  tx.response_body = tx.request_body;
  tx.response_body.text = R"({"id":"42","name":"Rex","type":"dog","created":"2023-10-27T13:40:57Z"})";
  tx.status = 201;
  tx.integration_status = 200;
  tx.response_length = 72;
  tx.response_latency_ms = 38;
  tx.integration_latency_ms = 31;
  tx.integration_uri = "arn:aws:lambda:us-east-1:123456789012:function:pets";
  tx.xray_trace_id = "Root=1-653bbd29-0123456789abcdef01234567";
  tx.source_ip = "203.0.113.7";
  tx.user_agent = "okhttp/4.12.0";
  tx.request_time_ms = 1698414057744;
  tx.end_time_ms = 1698414057782;
  tx.coverage = model::Coverage::kFull;
  tx.log_group = "API-Gateway-Execution-Logs_k7x2mq9p4z/prod";
  tx.log_stream = "8f14e45fceea167a5a36dedd4bea2543";
  tx.event_id = "37869845204530587625089434126473208946003286734196736001";
  tx.event_count = 24;
  return model::TransactionToJson(tx);
}

void RunReader(benchmark::State& state, const std::vector<std::string>& lines) {
  ingest::TransactionReader reader;
  HttpTransaction tx;
  size_t bytes = 0;
  for (const std::string& l : lines) {
    bytes += l.size();
    if (!reader.Read(l, &tx).ok()) std::abort();
  }
  for (auto _ : state) {
    for (const std::string& l : lines) {
      Status s = reader.Read(l, &tx);
      benchmark::DoNotOptimize(s);
      benchmark::DoNotOptimize(tx.status);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["line_bytes"] = static_cast<double>(bytes) / static_cast<double>(lines.size());
}

void BM_ReadAccessLogTransaction(benchmark::State& state) {
  static const std::vector<std::string> lines = AccessLogTransactionLines();
  RunReader(state, lines);
}
BENCHMARK(BM_ReadAccessLogTransaction);

void BM_ReadExecutionLogTransaction(benchmark::State& state) {
  static const std::vector<std::string> lines = {ExecutionLogTransactionLine()};
  RunReader(state, lines);
}
BENCHMARK(BM_ReadExecutionLogTransaction);

}  // namespace
}  // namespace gatescope

BENCHMARK_MAIN();
