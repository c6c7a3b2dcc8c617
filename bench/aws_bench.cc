// The AWS layer's CPU costs on the pull path: parsing a full FilterLogEvents page (10,000 events,
// about 1 MB, the most one call returns) with the client's simdjson parser, against a DOM parse
// with nlohmann_json as the baseline in the same run; and signing one request with SigV4.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>

#include "aws/cloudwatch_logs_client.h"
#include "aws/sigv4.h"

namespace {

using gatescope::aws::FilterLogEventsPage;

// A page as CloudWatch Logs returns it: REST execution-log lines with escaped JSON bodies.
std::string MakePage(int events) {
  nlohmann::json page;
  page["events"] = nlohmann::json::array();
  for (int i = 0; i < events; ++i) {
    const std::string request_id = "c0ffee" + std::to_string(100000 + i / 8) + "-aaaa-bbbb";
    std::string message = "(" + request_id + ") ";
    switch (i % 4) {
      case 0: message += "Method request path: {id=" + std::to_string(i) + "}"; break;
      case 1: message += "Method request headers: {Accept=application/json, Host=api.example.com, User-Agent=curl/8.5.0, X-Amzn-Trace-Id=Root=1-6553f2a1-0123456789abcdef01234567}"; break;
      case 2: message += "Method request body before transformations: {\"name\":\"Widget \\\"Pro\\\"\",\"price\":19.99,\"tags\":[\"a\",\"b\"]}"; break;
      default: message += "Method completed with status: 200"; break;
    }
    page["events"].push_back({{"logStreamName", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"},
                              {"timestamp", 1700000000000 + i},
                              {"message", message},
                              {"ingestionTime", 1700000000500 + i},
                              {"eventId", "3783279824947598453049878234782398472938472" +
                                              std::to_string(1000000 + i)}});
  }
  page["nextToken"] = "Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCrI7fXLqNMQB6";
  page["searchedLogStreams"] = nlohmann::json::array();
  return page.dump();
}

const std::string& Page() {
  static const std::string page = MakePage(10000);
  return page;
}

void BM_ParseFilterLogEventsPage(benchmark::State& state) {
  const std::string& body = Page();
  FilterLogEventsPage page;
  for (auto _ : state) {
    if (!gatescope::aws::ParseFilterLogEventsResponse(body, page).ok()) state.SkipWithError("parse");
    benchmark::DoNotOptimize(page.events.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_ParseFilterLogEventsPage)->Unit(benchmark::kMillisecond);

// Baseline: a DOM parse of the same page, copying the same fields out.
void BM_ParseFilterLogEventsPageNlohmann(benchmark::State& state) {
  const std::string& body = Page();
  FilterLogEventsPage page;
  for (auto _ : state) {
    const nlohmann::json doc = nlohmann::json::parse(body);
    page.events.clear();
    for (const auto& e : doc["events"]) {
      page.events.push_back({e["logStreamName"].get<std::string>(), e["timestamp"].get<int64_t>(),
                             e["ingestionTime"].get<int64_t>(), e["eventId"].get<std::string>(),
                             e["message"].get<std::string>()});
    }
    page.next_token = doc["nextToken"].get<std::string>();
    benchmark::DoNotOptimize(page.events.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_ParseFilterLogEventsPageNlohmann)->Unit(benchmark::kMillisecond);

void BM_SignFilterLogEventsRequest(benchmark::State& state) {
  const gatescope::aws::AwsCredentials credentials{
      .access_key_id = "AKIDEXAMPLE",
      .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      .session_token = std::string(600, 'T')};  // Lambda and AssumeRole tokens are this long.
  const std::string body =
      R"({"logGroupName":"API-Gateway-Execution-Logs_a1b2c3/prod","startTime":1700000000000,)"
      R"("endTime":1700000060000,"nextToken":"Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCrI7fXLq"})";
  const auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    gatescope::env::HttpRequest request{
        .method = "POST",
        .url = "https://logs.us-east-1.amazonaws.com/",
        .headers = {{"Content-Type", "application/x-amz-json-1.1"},
                    {"X-Amz-Target", "Logs_20140328.FilterLogEvents"}},
        .body = body};
    if (!gatescope::aws::SignRequest(request, credentials,
                                     {.region = "us-east-1", .service = "logs", .time = now})
             .ok()) {
      state.SkipWithError("sign");
    }
    benchmark::DoNotOptimize(request.headers.data());
  }
}
BENCHMARK(BM_SignFilterLogEventsRequest)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
