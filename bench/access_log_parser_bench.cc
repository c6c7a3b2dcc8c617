// Throughput of AccessLogParser::Parse, one benchmark per line kind plus a mixed stream.
//
// The parser reuses one HttpTransaction and its own buffers across lines, as the pipeline
// does, so these figures are the steady state: no allocation per line once warmed up.
// Every literal line is checked in setup; a line the parser drops would otherwise measure
// the (much cheaper) drop path and report a misleading figure.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "model/http_transaction.h"
#include "model/raw_record.h"
#include "parsers/apigw_access/access_log_parser.h"
#include "pipeline/event_counters.h"

namespace gatescope {
namespace {

using model::HttpTransaction;
using model::RawRecord;
using parsers::apigw_access::AccessLogParser;
using pipeline::DropReason;

// REST console JSON format, extended with the fields most deployments add.
constexpr std::string_view kRestJson =
    R"({ "requestId":"48752d0f-c99d-4cfa-a5a7-f3c6834d19e5", )"
    R"("extendedRequestId":"Nf1bAFzVIAMFaAA=","ip": "203.0.113.7", "caller":"-", "user":"-", )"
    R"("requestTime":"27/Oct/2023:13:40:57 +0000", )"
    R"("httpMethod":"GET", "resourcePath":"/pets/{petId}", "status":"200", "protocol":"HTTP/1.1", )"
    R"("responseLength":"184", "path":"/prod/pets/42", "stage":"prod", "apiId":"k7x2mq9p4z", )"
    R"("domainName":"k7x2mq9p4z.execute-api.us-east-1.amazonaws.com", "responseLatency":"38", )"
    R"("integrationLatency":"31", "userAgent":"curl/8.4.0" })";

// HTTP API JSON: short base64-like request id, routeKey, epoch in ms.
constexpr std::string_view kHttpJson =
    R"({"requestId":"GQIVriFLIAMEMsA=", "ip": "203.0.113.7", )"
    R"("requestTime":"27/Oct/2023:13:40:57 +0000", "requestTimeEpoch":"1698414057744", )"
    R"("httpMethod":"GET", "routeKey":"GET /orders/{id}", "path":"/prod/orders/1042", )"
    R"("status":"200", "protocol":"HTTP/1.1", "responseLength":"47", "stage":"prod", )"
    R"("apiId":"n5vb7c2kd8", "integrationLatency":"27", "responseLatency":"31"})";

// The format Wallarm's API Discovery connector asks users to configure (no template).
constexpr std::string_view kWallarmJson =
    R"({ "requestId": "27e8f5f0-d774-47d5-8ca9-3a4418d263fe", "httpMethod": "POST", )"
    R"("path": "/prod/users/123", "protocol": "HTTP/1.1", "status": "201", )"
    R"("responseLength": "98", "requestTime": "27/Oct/2023:13:40:57 +0000", )"
    R"("requestTimeEpoch": "1698414057049", "responseLatency": "13", )"
    R"("integrationLatency": "9", "integrationStatus": "201", "errorMessage": "-", )"
    R"("stage": "prod", "domainName": "3fh8wq1lzd.execute-api.us-east-1.amazonaws.com", )"
    R"("sourceIp": "100.49.118.14", "userAgent": "okhttp/4.12.0" })";

// Console CLF for REST: note no space between "]" and the quote.
constexpr std::string_view kRestClf =
    R"(203.0.113.7 - - [27/Oct/2023:13:40:57 +0000]"GET /pets/{petId} HTTP/1.1" 200 184 )"
    R"(48752d0f-c99d-4cfa-a5a7-f3c6834d19e5 Nf1bAFzVIAMFaAA=)";

// Console CLF for HTTP APIs: "$context.httpMethod $context.routeKey" doubles the method.
constexpr std::string_view kHttpClf =
    R"(203.0.113.7 - - [27/Oct/2023:13:40:57 +0000] "GET GET /pets HTTP/1.1" 200 47 )"
    R"(GQIVriFLIAMEMsA=)";

constexpr std::string_view kRestCsv =
    "203.0.113.7,-,-,27/Oct/2023:13:40:57 +0000,GET,/pets/{petId},HTTP/1.1,200,184,"
    "48752d0f-c99d-4cfa-a5a7-f3c6834d19e5,Nf1bAFzVIAMFaAA=";

constexpr std::string_view kRestXml =
    R"(<request id="48752d0f-c99d-4cfa-a5a7-f3c6834d19e5"> <extendedRequestId>Nf1bAFzVIAMFaAA=)"
    R"(</extendedRequestId> <ip>203.0.113.7</ip> <caller>-</caller> <user>-</user> )"
    R"(<requestTime>27/Oct/2023:13:40:57 +0000</requestTime> <httpMethod>GET</httpMethod> )"
    R"(<resourcePath>/pets/{petId}</resourcePath> <status>200</status> )"
    R"(<protocol>HTTP/1.1</protocol> <responseLength>184</responseLength> </request>)";

// Checks in setup that each line is accepted (or, for `expect_drop`, dropped), so that a
// benchmark never silently times the other path. The label shows what the parser read (the
// endpoint, or the drop reason) for a glance at the output. Returns false after flagging the
// error on `state`.
bool CheckLines(benchmark::State& state, AccessLogParser& parser,
                const std::vector<std::string>& lines, bool expect_drop) {
  HttpTransaction tx;
  std::string label;
  for (const std::string& line : lines) {
    RawRecord record;
    record.message = line;
    std::optional<DropReason> drop = parser.Parse(record, &tx);
    if (drop.has_value() != expect_drop) {
      std::string msg = drop.has_value()
                            ? "parser dropped (" + std::string(pipeline::DropReasonName(*drop)) +
                                  "): " + line.substr(0, 200)
                            : "parser accepted a malformed line: " + line;
      state.SkipWithError(msg.c_str());
      return false;
    }
    if (drop.has_value()) {
      label = pipeline::DropReasonName(*drop);
    } else {
      const std::string& endpoint = !tx.route_key.empty()       ? tx.route_key
                                    : !tx.resource_path.empty() ? tx.resource_path
                                                                : tx.path;
      label = tx.method + " " + endpoint;
    }
  }
  if (lines.size() == 1) state.SetLabel(label);
  return true;
}

// Parses `lines` round-robin; reports lines/s as items and message bytes/s.
void RunLines(benchmark::State& state, const std::vector<std::string>& lines,
              bool expect_drop = false) {
  AccessLogParser parser;
  if (!CheckLines(state, parser, lines, expect_drop)) return;
  std::vector<RawRecord> records(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) records[i].message = lines[i];

  HttpTransaction tx;
  size_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const RawRecord& record = records[next];
    benchmark::DoNotOptimize(parser.Parse(record, &tx));
    benchmark::DoNotOptimize(tx.status);
    bytes += static_cast<int64_t>(record.message.size());
    if (++next == records.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

void BM_Parse(benchmark::State& state, std::string_view line) {
  RunLines(state, {std::string(line)});
}

BENCHMARK_CAPTURE(BM_Parse, RestJson, kRestJson);
BENCHMARK_CAPTURE(BM_Parse, HttpJson, kHttpJson);
BENCHMARK_CAPTURE(BM_Parse, WallarmJson, kWallarmJson);
BENCHMARK_CAPTURE(BM_Parse, RestClf, kRestClf);
BENCHMARK_CAPTURE(BM_Parse, HttpClf, kHttpClf);
BENCHMARK_CAPTURE(BM_Parse, RestCsv, kRestCsv);
BENCHMARK_CAPTURE(BM_Parse, RestXml, kRestXml);

// ~1000 varied lines in bench/make_corpus.py's mix (50% REST JSON, 30% HTTP API JSON, 10%
// Wallarm, 10% REST CLF), so that branch prediction and the text-format cache see a realistic
// stream rather than one line repeated.
std::vector<std::string> MixedLines(size_t n) {
  static constexpr std::string_view kRestTemplates[] = {"/pets",
                                                        "/pets/{petId}",
                                                        "/pets/{petId}/photos",
                                                        "/owners/{ownerId}/pets",
                                                        "/users/{userId}",
                                                        "/users/{userId}/orders/{orderId}",
                                                        "/products/{productId}/reviews",
                                                        "/categories/{categoryId}/products"};
  static constexpr std::string_view kHttpRoutes[] = {
      "/orders", "/orders/{id}", "/orders/{id}/items/{itemId}", "/customers/{customerId}",
      "/payments/{paymentId}"};
  static constexpr std::string_view kMethods[] = {"GET", "GET",    "GET",  "POST",
                                                  "PUT", "DELETE", "PATCH"};
  static constexpr std::string_view kStatuses[] = {"200", "200", "200", "200", "200", "201",
                                                   "204", "400", "403", "404", "429", "502"};
  static constexpr std::string_view kRestApiIds[] = {"k7x2mq9p4z", "3fh8wq1lzd", "p0rt4l9xq2"};
  static constexpr std::string_view kStages[] = {"prod", "prod", "prod", "dev"};
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  std::mt19937 rng(1);  // Fixed seed: the same stream on every run.
  auto pick = [&rng](const auto& arr) { return arr[rng() % (sizeof(arr) / sizeof(arr[0]))]; };
  auto random_chars = [&rng](const char* alphabet, size_t alphabet_size, size_t len) {
    std::string s(len, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet_size];
    return s;
  };
  // Replaces every "{param}" with a number, as a client-visible path would have.
  auto concrete = [&rng](std::string_view tmpl) {
    std::string out;
    for (size_t i = 0; i < tmpl.size(); ++i) {
      if (tmpl[i] == '{') {
        out += std::to_string(rng() % 1000);
        i = tmpl.find('}', i);
      } else {
        out += tmpl[i];
      }
    }
    return out;
  };

  std::vector<std::string> lines;
  lines.reserve(n);
  int64_t epoch_ms = 1698414057744;
  for (size_t i = 0; i < n; ++i) {
    std::string hex = random_chars(kHex, 16, 32);
    std::string uuid = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-4" + hex.substr(13, 3) + "-a" +
                       hex.substr(17, 3) + "-" + hex.substr(20, 12);
    std::string ext_id = random_chars(kB64, 64, 15) + "=";
    std::string ip = "203.0." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 254 + 1);
    std::string method(pick(kMethods));
    std::string status(pick(kStatuses));
    std::string stage(pick(kStages));
    std::string length = std::to_string(rng() % 5000);
    std::string latency = std::to_string(5 + rng() % 300);
    epoch_ms += rng() % 60;
    std::string when = "27/Oct/2023:13:40:57 +0000";  // Time parsing cost is independent of it.

    size_t kind = i % 10;  // 0-4 REST JSON, 5-7 HTTP JSON, 8 Wallarm, 9 CLF.
    if (kind < 5) {
      std::string api(pick(kRestApiIds));
      std::string_view tmpl = pick(kRestTemplates);
      lines.push_back(
          R"({ "requestId":")" + uuid + R"(", "extendedRequestId":")" + ext_id + R"(","ip": ")" +
          ip + R"(", "caller":"-", "user":"-", "requestTime":")" + when + R"(", "httpMethod":")" +
          method + R"(", "resourcePath":")" + std::string(tmpl) + R"(", "status":")" + status +
          R"(", "protocol":"HTTP/1.1", "responseLength":")" + length + R"(", "path":"/)" + stage +
          concrete(tmpl) + R"(", "stage":")" + stage + R"(", "apiId":")" + api +
          R"(", "domainName":")" + api +
          R"(.execute-api.us-east-1.amazonaws.com", "responseLatency":")" + latency +
          R"(", "integrationLatency":")" + latency + R"(", "userAgent":"okhttp/4.12.0" })");
    } else if (kind < 8) {
      std::string_view route = pick(kHttpRoutes);
      bool default_route = rng() % 5 == 0;
      std::string route_key = default_route ? "$default" : method + " " + std::string(route);
      lines.push_back(
          R"({"requestId":")" + ext_id + R"(", "ip": ")" + ip + R"(", "requestTime":")" + when +
          R"(", "requestTimeEpoch":")" + std::to_string(epoch_ms) + R"(", "httpMethod":")" +
          method + R"(", "routeKey":")" + route_key + R"(", "path":"/)" + stage + concrete(route) +
          R"(", "status":")" + status + R"(", "protocol":"HTTP/1.1", "responseLength":")" + length +
          R"(", "stage":")" + stage + R"(", "apiId":"n5vb7c2kd8", )" + R"("integrationLatency":")" +
          latency + R"(", "responseLatency":")" + latency + R"("})");
    } else if (kind == 8) {
      lines.push_back(
          R"({ "requestId": ")" + uuid + R"(", "httpMethod": ")" + method + R"(", "path": "/)" +
          stage + concrete(pick(kRestTemplates)) + R"(", "protocol": "HTTP/1.1", "status": ")" +
          status + R"(", "responseLength": ")" + length + R"(", "requestTime": ")" + when +
          R"(", "requestTimeEpoch": ")" + std::to_string(epoch_ms) + R"(", "responseLatency": ")" +
          latency + R"(", "integrationLatency": ")" + latency + R"(", "integrationStatus": ")" +
          status + R"(", "errorMessage": "-", "stage": ")" + stage +
          R"(", "domainName": "3fh8wq1lzd.execute-api.us-east-1.amazonaws.com", )" +
          R"("sourceIp": ")" + ip + R"(", "userAgent": "curl/8.4.0" })");
    } else {
      lines.push_back(ip + " - - [" + when + "]\"" + method + " " +
                      std::string(pick(kRestTemplates)) + " HTTP/1.1\" " + status + " " + length +
                      " " + uuid + " " + ext_id);
    }
  }
  return lines;
}

void BM_ParseMixed(benchmark::State& state) {
  static const std::vector<std::string> kLines = MixedLines(1000);
  RunLines(state, kLines);
}
BENCHMARK(BM_ParseMixed);

// The drop path, taken by ~0.5% of a real stream. Kept apart from the mixed stream because
// a drop can cost more than a parse: a line that is not valid JSON is still tried against
// every text format before it is given up.
void BM_Drop(benchmark::State& state, std::string_view line) {
  RunLines(state, {std::string(line)}, /*expect_drop=*/true);
}

BENCHMARK_CAPTURE(BM_Drop, TruncatedJson, kRestJson.substr(0, 150));
BENCHMARK_CAPTURE(BM_Drop, StrayText,
                  std::string_view("27/Oct/2023:13:40:57 +0000 ERROR connection reset by peer"));
BENCHMARK_CAPTURE(BM_Drop, NotAccessLogJson,
                  std::string_view(R"({"level":"info","msg":"cache warmed","ms":12})"));

}  // namespace
}  // namespace gatescope

BENCHMARK_MAIN();
